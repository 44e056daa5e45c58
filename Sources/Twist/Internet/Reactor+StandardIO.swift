import Glibc
import TwistCore

extension Reactor: ReactorStandardIO {
    /// Connects `protocol` to a ``StandardIO`` transport over `input` and `output`; see
    /// ``ReactorStandardIO``. Both descriptors are made non-blocking and close-on-exec and are
    /// closed by the transport.
    ///
    /// - Throws: ``CannotListenError`` when either descriptor is not open.
    @discardableResult
    public nonisolated func connectStandardIO(_ protocol: Protocol, input: Int32, output: Int32) throws -> any Transport {
        requireConfined()
        for fd in [input, output] {
            let flags = fcntl(fd, F_GETFL)
            guard flags >= 0 else {
                let error = SystemCallError("fcntl(F_GETFL)")
                throw CannotListenError(unix: .unnamed, "standard I/O: descriptor \(fd) is not open: \(error.reason)", osError: error.code)
            }
        }
        for fd in [input, output] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        let transport = StandardIO(application: `protocol`)
        transport.start(reactor: self, input: input, output: output)
        return transport
    }
}
