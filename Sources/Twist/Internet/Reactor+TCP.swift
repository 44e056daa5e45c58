import TwistCore

extension Reactor: ReactorTCP {
    /// Listens on `port` (0 picks a free one: read it from the port's `address`) and serves each
    /// connection with a protocol from `factory`.
    ///
    /// - Parameters:
    ///   - backlog: the kernel's queue of connections not yet accepted.
    ///   - interface: "" for every IPv4 interface, "::" for every IPv6 one, or a numeric address.
    /// - Throws: ``CannotListenError``, synchronously, when the port cannot be opened.
    public nonisolated func listenTCP(
        _ port: Int, _ factory: Factory, backlog: Int = 50, interface: String = ""
    ) throws -> any ListeningPort {
        requireConfined()
        return try StreamPort(
            kind: TCPPortKind(interface: interface, port: port), backlog: backlog, factory: factory, reactor: self
        )
    }

    /// Connects to `host`:`port`; see ``ReactorTCP``. `factory.startedConnecting` is called before
    /// this returns.
    ///
    /// - Parameters:
    ///   - timeout: seconds before the attempt fails with ``ConnectTimeoutError`` (0: no timeout).
    ///   - bindAddress: a local address to connect from.
    @discardableResult
    public nonisolated func connectTCP(
        _ host: String, _ port: Int, _ factory: ClientFactory, timeout: Double = 30, bindAddress: IPAddress? = nil
    ) -> any Connector {
        requireConfined()
        let connector = StreamConnector(
            kind: TCPConnectorKind(host: host, port: port, bindAddress: bindAddress), factory: factory,
            timeout: timeout, reactor: self
        )
        connector.connect()
        return connector
    }
}
