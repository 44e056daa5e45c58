import Glibc
import TwistCore

extension Reactor: ReactorUDP, ReactorMulticast {
    /// Binds a UDP port and serves it with `protocol`; see ``ReactorUDP``. The protocol's
    /// `startProtocol()` has run when this returns.
    ///
    /// - Parameters:
    ///   - interface: "" for every IPv4 interface, or a numeric IPv4 or IPv6 address.
    ///   - maxPacketSize: the longest datagram delivered whole (1–65535).
    /// - Throws: ``InvalidAddressError``, ``DatagramStateError`` or ``CannotListenError``,
    ///   synchronously.
    public nonisolated func listenUDP(
        _ port: Int, _ protocol: DatagramProtocol, interface: String = "", maxPacketSize: Int = 8192
    ) throws -> any DatagramTransport {
        try openUDPPort(port, `protocol`, interface: interface, maxPacketSize: maxPacketSize, reuse: false)
    }

    /// Binds a UDP port that can join multicast groups; see ``ReactorMulticast``.
    public nonisolated func listenMulticast(
        _ port: Int, _ protocol: DatagramProtocol, interface: String = "", maxPacketSize: Int = 8192,
        listenMultiple: Bool = false
    ) throws -> any MulticastTransport {
        try openUDPPort(port, `protocol`, interface: interface, maxPacketSize: maxPacketSize, reuse: listenMultiple)
    }

    private nonisolated func openUDPPort(
        _ port: Int, _ protocol: DatagramProtocol, interface: String, maxPacketSize: Int, reuse: Bool
    ) throws -> UDPPort {
        requireConfined()
        try DatagramPort.requireUnattached(`protocol`)
        try DatagramPort.check(maxPacketSize: maxPacketSize, for: .udp(family: AF_INET))
        let made = try UDPPort(
            DatagramSocket.udp(port: port, interface: interface, reuse: reuse), maxPacketSize: maxPacketSize, reactor: self
        )
        try made.start(`protocol`)
        return made
    }
}
