/// The UDP capability of a reactor (Twisted's `IReactorUDP`). The libev `Reactor` gives its
/// method Twisted's defaults (every IPv4 interface, 8192-byte packets).
public protocol ReactorUDP: AnyObject {
    /// Binds a UDP socket to `interface`:`port` (0 for any free port: read the real one from the
    /// port's `address`) and serves it with `protocol`. The protocol's `startProtocol()` has run
    /// when this returns.
    ///
    /// - Parameters:
    ///   - interface: "" for every IPv4 interface, or a numeric IPv4 or IPv6 address ("::" for
    ///     every interface, IPv4 senders then appearing as `::ffff:a.b.c.d`). Never a name.
    ///   - maxPacketSize: the longest datagram delivered whole (1–65535); longer ones are cut.
    /// - Throws: ``InvalidAddressError`` for a named interface, ``DatagramStateError`` when the
    ///   protocol serves another port, ``CannotListenError`` when the socket cannot be bound.
    func listenUDP(_ port: Int, _ protocol: DatagramProtocol, interface: String, maxPacketSize: Int) throws
        -> any DatagramTransport
}
