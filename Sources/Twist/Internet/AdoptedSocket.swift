import Glibc
import TwistCore

/// What the reactor does to a socket it is handed (`adoptStreamPort`, `adoptStreamConnection`,
/// `adoptDatagramPort`): take a close-on-exec duplicate, check that it is a socket of the expected
/// type and family in the expected state (a listening or connected stream socket, a bound
/// datagram socket), and make it non-blocking. The caller's descriptor is
/// never closed nor kept. Each caller turns a ``Mismatch`` into its own error type.
enum AdoptedSocket {
    /// Why a descriptor cannot be adopted, in words fit for an error's detail.
    struct Mismatch: Error {
        /// What is wrong with it ("it is not a socket", …).
        let reason: String
        /// The `errno` behind it, if a system call failed.
        var osError: Int32? = nil
    }

    /// The state the socket must be in.
    enum Role {
        /// Listening (`listen(2)` was called): for a port.
        case listening
        /// Connected to a peer: for a connection.
        case connected
        /// A bound datagram socket (connected or not): for a datagram port.
        case boundDatagram

        /// The socket type the role needs.
        var socketType: Int32 {
            self == .boundDatagram ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        }
    }

    /// A close-on-exec, non-blocking duplicate of `original`, checked to be a socket of `family`
    /// fit for `role`; on a mismatch the duplicate is closed (the caller can still read the
    /// socket's address through `original`).
    static func duplicate(_ original: Int32, family: AddressFamily, role: Role) throws(Mismatch) -> Int32 {
        let fd = fcntl(original, F_DUPFD_CLOEXEC, 0)
        guard fd >= 0 else {
            let error = SystemCallError("fcntl(F_DUPFD_CLOEXEC)")
            throw Mismatch(reason: "cannot duplicate it: \(error.reason)", osError: error.code)
        }
        do throws(Mismatch) {
            try check(fd, family: family, role: role)
            let flags = fcntl(fd, F_GETFL)
            guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
                let error = SystemCallError("fcntl(F_SETFL)")
                throw Mismatch(reason: "cannot make it non-blocking: \(error.reason)", osError: error.code)
            }
            return fd
        } catch {
            Sockets.close(fd)
            throw error
        }
    }

    /// Throws unless `fd` is a socket of `family` fit for `role`.
    static func check(_ fd: Int32, family: AddressFamily, role: Role) throws(Mismatch) {
        let type: Int32
        switch option(fd, SO_TYPE) {
        case .success(let value): type = value
        case .failure(let error):
            let what = error.code == ENOTSOCK ? "it is not a socket" : "cannot read its type: \(error.reason)"
            throw Mismatch(reason: what, osError: error.code)
        }
        guard type == role.socketType else {
            let wanted = role == .boundDatagram ? "a datagram" : "a stream"
            throw Mismatch(reason: "it is \(typeName(type)) socket, not \(wanted) socket")
        }
        let domain = try readOption(fd, SO_DOMAIN)
        guard domain == family.systemValue else {
            throw Mismatch(reason: "it is an \(familyName(domain)) socket, not AF_\(family)")
        }
        if role == .boundDatagram {
            guard let local = SystemAddress.local(of: fd), isBound(local) else {
                throw Mismatch(reason: "it is not bound (bind(2) was not called)")
            }
            return
        }
        let listening = try readOption(fd, SO_ACCEPTCONN) != 0
        switch role {
        case .listening:
            guard listening else { throw Mismatch(reason: "it is not listening (listen(2) was not called)") }
        case .connected:
            guard !listening else { throw Mismatch(reason: "it is a listening socket, not a connected one (use adoptStreamPort)") }
            guard SystemAddress.peer(of: fd) != nil else {
                let error = SystemCallError("getpeername")
                throw Mismatch(reason: "it is not connected: \(error.reason)", osError: error.code)
            }
        case .boundDatagram:
            break
        }
    }

    /// Whether a socket's local address is a bound one: a UNIX name, or an IP port (an unbound
    /// IP socket reports port 0).
    private static func isBound(_ local: SystemAddress) -> Bool {
        switch local.family {
        case AF_UNIX: local.unixAddress != .unnamed
        case AF_INET, AF_INET6: local.ipAddress.port != 0
        default: false
        }
    }

    /// "a stream (SOCK_STREAM)", "a datagram (SOCK_DGRAM)", or the number.
    private static func typeName(_ type: Int32) -> String {
        switch type {
        case Int32(SOCK_STREAM.rawValue): "a stream (SOCK_STREAM)"
        case Int32(SOCK_DGRAM.rawValue): "a datagram (SOCK_DGRAM)"
        default: "a type \(type)"
        }
    }

    /// An integer `SOL_SOCKET` option; a failure to read it is a ``Mismatch``.
    private static func readOption(_ fd: Int32, _ name: Int32) throws(Mismatch) -> Int32 {
        switch option(fd, name) {
        case .success(let value): return value
        case .failure(let error): throw Mismatch(reason: "cannot read its options: \(error.reason)", osError: error.code)
        }
    }

    /// An integer `SOL_SOCKET` option, or the error reading it.
    private static func option(_ fd: Int32, _ name: Int32) -> Result<Int32, SystemCallError> {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 else { return .failure(SystemCallError("getsockopt")) }
        return .success(value)
    }

    /// `AF_INET`, `AF_INET6`, `AF_UNIX`, or the number.
    private static func familyName(_ domain: Int32) -> String {
        AddressFamily.allCases.first { $0.systemValue == domain }.map { "AF_\($0)" } ?? "address family \(domain)"
    }
}

extension AddressFamily {
    /// The `AF_` constant.
    var systemValue: Int32 {
        switch self {
        case .inet: AF_INET
        case .inet6: AF_INET6
        case .unix: AF_UNIX
        }
    }
}
