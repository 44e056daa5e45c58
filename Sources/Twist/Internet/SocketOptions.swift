import CTwistShims
import Glibc

/// Thin wrappers over the socket calls the TCP layer makes, each returning `errno` on failure.
enum Sockets {
    /// A non-blocking, close-on-exec TCP socket of `family`.
    static func makeStreamSocket(family: Int32) -> Result<Int32, SystemCallError> {
        let fd = socket(family, twist_sock_stream_nonblocking_cloexec(), 0)
        return fd >= 0 ? .success(fd) : .failure(SystemCallError("socket"))
    }

    /// Sets an integer socket option.
    @discardableResult
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Reads an integer socket option.
    static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, level, name, &value, &length)
        return value
    }

    /// The pending error of a socket (after a non-blocking connect completes), 0 for none.
    static func pendingError(_ fd: Int32) -> Int32 {
        option(fd, SOL_SOCKET, SO_ERROR)
    }

    /// Closes `fd`, retrying nothing (close(2) must not be retried on Linux).
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}

/// A failed system call and its `errno`.
struct SystemCallError: Error, CustomStringConvertible {
    let call: String
    let code: Int32

    /// The error of the call just made (reads `errno` now).
    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    /// The system's text for the error.
    var reason: String { String(cString: strerror(code)) }

    var description: String { "\(call): \(reason) (errno \(code))" }
}
