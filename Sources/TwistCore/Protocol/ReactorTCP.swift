/// A listening TCP port (Twisted's `IListeningPort`).
public protocol ListeningPort: AnyObject {
    /// The bound address; its port is the real one when port 0 was asked for (Twisted's `getHost()`).
    var address: Address { get }

    /// Stops accepting and closes the socket. The Deferred fires on a later loop pass, once the
    /// port is closed; the same port number can be bound again at once.
    @discardableResult
    func stopListening() -> Deferred<Void>
}

/// The TCP capability of a reactor (Twisted's `IReactorTCP`). The libev `Reactor` gives its
/// methods Twisted's defaults (backlog 50, every IPv4 interface, 30 s timeout, no bind address).
public protocol ReactorTCP: AnyObject {
    /// Listens on `port` (0 for any free port) on `interface` ("" for every IPv4 interface, "::"
    /// for every IPv6 one, or a numeric address), building a protocol with `factory` for each
    /// connection.
    ///
    /// - Throws: ``CannotListenError`` when the port cannot be opened (for example, it is in use).
    func listenTCP(_ port: Int, _ factory: Factory, backlog: Int, interface: String) throws -> any ListeningPort

    /// Connects to `host`:`port` (a numeric address or a name, resolved without blocking the
    /// loop). Returns the connector at once; every failure reaches the factory's
    /// `clientConnectionFailed`, never the caller.
    @discardableResult
    func connectTCP(
        _ host: String, _ port: Int, _ factory: ClientFactory, timeout: Double, bindAddress: IPAddress?
    ) -> any Connector
}
