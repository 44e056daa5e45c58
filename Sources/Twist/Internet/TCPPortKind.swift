import Glibc
import Logging
import TwistCore

/// A TCP listening socket, for ``StreamPort``: binds `interface`:`port` (IPv4 or IPv6, with
/// `SO_REUSEADDR`, `SO_REUSEPORT` when asked, and `IPV6_V6ONLY` for IPv6) and reports addresses as IP addresses.
struct TCPPortKind: StreamPortKind {
    static let logName = "TCP"

    /// The numeric interface to bind ("" for every IPv4 interface, "::" for every IPv6 one).
    let interface: String
    /// The port to bind; 0 picks a free one.
    let port: Int
    /// Sets `SO_REUSEPORT` before binding, so every reactor of a group can listen on the address.
    var reusePort = false

    mutating func openListeningSocket(backlog: Int) throws -> (fd: Int32, address: Address) {
        guard let bindAddress = SystemAddress(numericHost: interface, port: port) else {
            throw CannotListenError(interface: interface, port: port, "the interface must be a numeric address")
        }
        let fd: Int32
        switch Sockets.makeStreamSocket(family: bindAddress.family) {
        case .success(let made): fd = made
        case .failure(let error): throw CannotListenError(interface: interface, port: port, error.reason, osError: error.code)
        }
        Sockets.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        if reusePort { Sockets.setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
        if bindAddress.family == AF_INET6 { Sockets.setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        let bound = bindAddress.withSockAddr { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, Int32(backlog)) == 0 else {
            let error = SystemCallError(bound == 0 ? "listen" : "bind")
            Sockets.close(fd)
            throw CannotListenError(interface: interface, port: port, error.reason, osError: error.code)
        }
        return (fd, .ip(SystemAddress.local(of: fd)?.ipAddress ?? bindAddress.ipAddress))
    }

    func peerAddress(_ accepted: SystemAddress) -> Address {
        .ip(accepted.ipAddress)
    }

    func makeConnection(fd: Int32, peer: Address, portAddress: Address, protocol: Protocol, reactor: Reactor)
        -> StreamConnection
    {
        TCPConnection(fd: fd, peer: peer, protocol: `protocol`, reactor: reactor)
    }

    func logDescription(of address: Address) -> String {
        "\(address.port ?? 0)"
    }

    func didClose(logger: Logger) {}
}
