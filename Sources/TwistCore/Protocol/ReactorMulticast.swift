/// The multicast capability of a reactor (Twisted's `IReactorMulticast`).
public protocol ReactorMulticast: AnyObject {
    /// Like ``ReactorUDP/listenUDP(_:_:interface:maxPacketSize:)``, for a port that joins
    /// multicast groups. With `listenMultiple` several sockets (in this process or others) may
    /// bind the same port (`SO_REUSEADDR` and `SO_REUSEPORT`), and each member receives the
    /// group's datagrams; without it a second bind fails with ``CannotListenError``.
    func listenMulticast(
        _ port: Int, _ protocol: DatagramProtocol, interface: String, maxPacketSize: Int, listenMultiple: Bool
    ) throws -> any MulticastTransport
}
