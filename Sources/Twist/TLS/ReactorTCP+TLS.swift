public import TwistCore

extension ReactorTCP where Self: ReactorTime {
    /// Listens on TCP `port` and speaks TLS with `context` on every connection (Twisted's
    /// `listenSSL`): `listenTCP` with `factory` wrapped in a ``TLSWrappingFactory``.
    ///
    /// - Precondition: `context` is a server context.
    /// - Throws: what `listenTCP` throws (``CannotListenError``).
    @discardableResult
    public func listenSSL(
        _ port: Int, _ factory: Factory, _ context: TLSContext, backlog: Int = 50, interface: String = ""
    ) throws -> any ListeningPort {
        precondition(context.role == .server, "listenSSL needs a server context")
        return try listenTCP(port, TLSWrappingFactory(wrapping: factory, context: context, clock: self), backlog: backlog, interface: interface)
    }

    /// Connects to `host`:`port` and speaks TLS with `context` (Twisted's `connectSSL`). The
    /// server is verified as `serverName`, which defaults to `host`. Every failure — the TCP
    /// connection's, the handshake's, a rejected certificate — reaches `factory`, as for
    /// `connectTCP`: `clientConnectionFailed` when no connection was made, the protocol's
    /// `connectionLost` (and `clientConnectionLost`) when the handshake failed.
    ///
    /// - Precondition: `context` is a client context.
    @discardableResult
    public func connectSSL(
        _ host: String, _ port: Int, _ factory: ClientFactory, _ context: TLSContext,
        serverName: String? = nil, timeout: Double = 30, bindAddress: IPAddress? = nil
    ) -> any Connector {
        precondition(context.role == .client, "connectSSL needs a client context")
        let tlsFactory = TLSWrappingFactory(wrapping: factory, context: context, serverName: serverName ?? host, clock: self)
        return connectTCP(host, port, tlsFactory, timeout: timeout, bindAddress: bindAddress)
    }
}
