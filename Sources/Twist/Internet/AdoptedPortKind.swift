import Glibc
import Logging
import TwistCore

/// A listening socket made elsewhere, for ``StreamPort`` (`adoptStreamPort`): instead of making a
/// socket it duplicates the one it is given (close-on-exec), checks that it is a listening stream
/// socket of the expected family, makes it non-blocking and reports its real local address.
/// Connections are TCP or UNIX connections by the family. Closing closes only the duplicate: the
/// original belongs to the caller, and a UNIX socket's file — which this port did not make —
/// stays.
struct AdoptedPortKind: StreamPortKind {
    static let logName = "Adopted"

    /// The caller's descriptor, never closed nor kept.
    let original: Int32
    /// The family the socket must have.
    let family: AddressFamily

    mutating func openListeningSocket(backlog: Int) throws -> (fd: Int32, address: Address) {
        let fd = fcntl(original, F_DUPFD_CLOEXEC, 0)
        guard fd >= 0 else {
            let error = SystemCallError("fcntl(F_DUPFD_CLOEXEC)")
            throw cannotAdopt(nil, "cannot duplicate it: \(error.reason)", osError: error.code)
        }
        do {
            try check(fd)
            let flags = fcntl(fd, F_GETFL)
            guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
                let error = SystemCallError("fcntl(F_SETFL)")
                throw cannotAdopt(fd, "cannot make it non-blocking: \(error.reason)", osError: error.code)
            }
            guard let local = SystemAddress.local(of: fd) else {
                let error = SystemCallError("getsockname")
                throw cannotAdopt(fd, "cannot read its address: \(error.reason)", osError: error.code)
            }
            return (fd, family == .unix ? .unix(local.unixAddress) : .ip(local.ipAddress))
        } catch {
            Sockets.close(fd)
            throw error
        }
    }

    /// Throws unless `fd` is a stream socket of ``family`` that listens.
    private func check(_ fd: Int32) throws {
        let type: Int32
        switch socketOption(fd, SO_TYPE) {
        case .success(let value): type = value
        case .failure(let error):
            let what = error.code == ENOTSOCK ? "it is not a socket" : "cannot read its type: \(error.reason)"
            throw cannotAdopt(fd, what, osError: error.code)
        }
        guard type == Int32(SOCK_STREAM.rawValue) else {
            let name = type == Int32(SOCK_DGRAM.rawValue) ? "a datagram (SOCK_DGRAM)" : "a type \(type)"
            throw cannotAdopt(fd, "it is \(name) socket, not a stream socket")
        }
        let domain = try readOption(fd, SO_DOMAIN)
        guard domain == family.systemValue else {
            throw cannotAdopt(fd, "it is an \(Self.familyName(domain)) socket, not AF_\(family)")
        }
        guard try readOption(fd, SO_ACCEPTCONN) != 0 else {
            throw cannotAdopt(fd, "it is not listening (listen(2) was not called)")
        }
    }

    /// An integer `SOL_SOCKET` option; a failure to read it is a ``CannotListenError``.
    private func readOption(_ fd: Int32, _ name: Int32) throws -> Int32 {
        switch socketOption(fd, name) {
        case .success(let value): return value
        case .failure(let error): throw cannotAdopt(fd, "cannot read its options: \(error.reason)", osError: error.code)
        }
    }

    /// An integer `SOL_SOCKET` option, or the error reading it.
    private func socketOption(_ fd: Int32, _ name: Int32) -> Result<Int32, SystemCallError> {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 else { return .failure(SystemCallError("getsockopt")) }
        return .success(value)
    }

    /// The error for a descriptor that cannot be adopted: it names the original descriptor, and
    /// the socket's real address when it has one (otherwise the family's "any" address).
    private func cannotAdopt(_ fd: Int32?, _ reason: String, osError: Int32? = nil) -> CannotListenError {
        let detail = "cannot adopt descriptor \(original) as an AF_\(family) listening socket: \(reason)"
        let local = fd.flatMap { SystemAddress.local(of: $0) }
        switch local?.family {
        case AF_INET, AF_INET6:
            let address = local!.ipAddress
            return CannotListenError(interface: address.host, port: address.port, detail, osError: osError)
        case AF_UNIX:
            return CannotListenError(unix: local!.unixAddress, detail, osError: osError)
        default:
            switch family {
            case .unix: return CannotListenError(unix: .unnamed, detail, osError: osError)
            case .inet: return CannotListenError(interface: "", port: 0, detail, osError: osError)
            case .inet6: return CannotListenError(interface: "::", port: 0, detail, osError: osError)
            }
        }
    }

    /// `AF_INET`, `AF_INET6`, `AF_UNIX`, or the number.
    private static func familyName(_ domain: Int32) -> String {
        AddressFamily.allCases.first { $0.systemValue == domain }.map { "AF_\($0)" } ?? "address family \(domain)"
    }

    func peerAddress(_ accepted: SystemAddress) -> Address {
        family == .unix ? .unix(accepted.unixAddress) : .ip(accepted.ipAddress)
    }

    func makeConnection(fd: Int32, peer: Address, portAddress: Address, protocol: Protocol, reactor: Reactor)
        -> StreamConnection
    {
        if family == .unix {
            return UNIXConnection(fd: fd, host: portAddress, peer: peer, protocol: `protocol`, reactor: reactor)
        }
        return TCPConnection(fd: fd, peer: peer, protocol: `protocol`, reactor: reactor)
    }

    func logDescription(of address: Address) -> String {
        "\(address) (adopted descriptor \(original))"
    }

    /// Nothing to release: the port closed its duplicate, and nothing else was made.
    func didClose(logger: Logger) {}
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
