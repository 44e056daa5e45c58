import Glibc
import TwistCore

/// A connected TCP socket: the stream engine (``StreamConnection``) plus what only TCP has —
/// its addresses as IP addresses and its socket options (Twisted's `ITCPTransport`).
///
/// Made by a listening ``StreamPort`` of ``TCPPortKind`` for each accepted socket, and by a
/// ``StreamConnector`` of ``TCPConnectorKind`` when its non-blocking connect completes.
final class TCPConnection: StreamConnection, TCPTransport {
    /// Wraps a connected TCP socket; `peer` is the address the kernel reported for it. The
    /// connection reads nothing until ``StreamConnection/start()``.
    init(fd: Int32, peer: Address, protocol: Protocol, reactor: Reactor, onClosed: ((Failure) -> Void)? = nil) {
        let host = Address.ip(SystemAddress.local(of: fd)?.ipAddress ?? .ipv4("0.0.0.0", 0))
        super.init(
            descriptor: StreamDescriptor(fd: fd), host: host, peer: peer, protocol: `protocol`, reactor: reactor,
            onClosed: onClosed
        )
    }

    var noDelay: Bool {
        get { Sockets.option(descriptor.fd, Int32(IPPROTO_TCP), TCP_NODELAY) != 0 }
        set { Sockets.setOption(descriptor.fd, Int32(IPPROTO_TCP), TCP_NODELAY, newValue ? 1 : 0) }
    }

    var keepAlive: Bool {
        get { Sockets.option(descriptor.fd, SOL_SOCKET, SO_KEEPALIVE) != 0 }
        set { Sockets.setOption(descriptor.fd, SOL_SOCKET, SO_KEEPALIVE, newValue ? 1 : 0) }
    }
}
