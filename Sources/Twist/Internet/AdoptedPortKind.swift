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
        let fd: Int32
        do {
            fd = try AdoptedSocket.duplicate(original, family: family, role: .listening)
        } catch {
            throw cannotAdopt(error.reason, osError: error.osError)
        }
        guard let local = SystemAddress.local(of: fd) else {
            let error = SystemCallError("getsockname")
            Sockets.close(fd)
            throw cannotAdopt("cannot read its address: \(error.reason)", osError: error.code)
        }
        return (fd, family == .unix ? .unix(local.unixAddress) : .ip(local.ipAddress))
    }

    /// The error for a descriptor that cannot be adopted: it names the original descriptor, and
    /// the socket's real address when it has one (otherwise the family's "any" address).
    private func cannotAdopt(_ reason: String, osError: Int32? = nil) -> CannotListenError {
        let detail = "cannot adopt descriptor \(original) as an AF_\(family) listening socket: \(reason)"
        let local = SystemAddress.local(of: original)
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
