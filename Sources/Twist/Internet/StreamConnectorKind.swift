import TwistCore

/// What a client ``StreamConnector`` needs to know about one kind of socket — everything that
/// differs between connecting over TCP and over a UNIX socket; the connect state machine, the
/// timeout, the factory's notifications and the clean-up are the connector's, once.
protocol StreamConnectorKind {
    /// Where the connector is headed, as ``Connector/destination`` reports it.
    var destination: Address { get }

    /// Finds the address to connect to and calls `completion` with it, or with why there is none:
    /// at once, or later on the reactor's thread (TCP resolves a host name on a thread of its own).
    func resolve(on reactor: Reactor, _ completion: @escaping (Result<SystemAddress, NetworkError>) -> Void)

    /// Readies a fresh socket before it connects (TCP binds its local address); nil when it went
    /// well, otherwise the error the attempt fails with.
    func prepare(_ fd: Int32) -> NetworkError?

    /// The error a failed `connect` (its `errno`) is reported with.
    func connectFailure(_ code: Int32) -> NetworkError

    /// The peer's address once socket `fd` is connected.
    func connectedPeer(_ fd: Int32) -> Address

    /// Wraps the connected socket in this kind's connection.
    func makeConnection(
        fd: Int32, peer: Address, protocol: Protocol, reactor: Reactor, onClosed: @escaping (Failure) -> Void
    ) -> StreamConnection
}
