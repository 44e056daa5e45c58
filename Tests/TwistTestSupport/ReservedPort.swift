import Glibc

/// A port on 127.0.0.1 that is bound but not listening, for "the server is down": a connection to
/// it is refused, and since the socket holds the port until the value goes, no other test's
/// port-0 listener can take it meanwhile. (A port that was closed a moment ago can be handed to
/// another test's listener at once, which then answers in the "dead" server's place.)
///
/// Keep the value alive (`withExtendedLifetime`) for as long as the port must stay refused.
public final class ReservedPort: @unchecked Sendable {
    private let fd: Int32
    /// The reserved port number, picked by the system.
    public let port: Int

    /// Binds a new socket to a free port of 127.0.0.1 and does not listen on it.
    ///
    /// - Precondition: the bind succeeds (it fails only when the machine is out of ports or
    ///   descriptors).
    public init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        precondition(bound, "could not reserve a port on 127.0.0.1")
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
