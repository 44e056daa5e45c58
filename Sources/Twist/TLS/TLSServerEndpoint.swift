public import TwistCore

/// Listens through another server endpoint and speaks TLS on every connection (Twisted's
/// `SSL4ServerEndpoint`, generalised to any stream endpoint: TCP, UNIX sockets, systemd sockets).
/// The description `ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:extraCertChain=CHAIN.pem]`
/// makes one over TCP.
public final class TLSServerEndpoint: ServerEndpoint {
    /// The endpoint that listens.
    public let wrappedEndpoint: any ServerEndpoint

    /// The server context every connection uses.
    public let context: TLSContext

    private let clock: any ReactorTime

    /// An endpoint speaking TLS with `context` (a server context) over `wrappedEndpoint`'s
    /// connections; `clock` (the reactor) times handshakes. Nothing happens until ``listen(_:)``.
    ///
    /// - Precondition: `context` is a server context.
    public init(wrapping wrappedEndpoint: any ServerEndpoint, context: TLSContext, clock: any ReactorTime) {
        precondition(context.role == .server, "a TLS server endpoint needs a server context")
        self.wrappedEndpoint = wrappedEndpoint
        self.context = context
        self.clock = clock
    }

    /// Listens through the wrapped endpoint with `factory` wrapped in a ``TLSWrappingFactory``;
    /// fires (or fails) as the wrapped endpoint's Deferred does.
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        wrappedEndpoint.listen(TLSWrappingFactory(wrapping: factory, context: context, clock: clock))
    }

    /// Over TCP, `ssl:` followed by the TCP description's arguments (the certificate files are not
    /// part of it); over anything else, `tls-over:` followed by the wrapped endpoint's description.
    public var description: String { tlsDescription(of: wrappedEndpoint.description, tcpPrefix: "ssl:") }
}

/// `description` of a TCP endpoint with its `tcp:` replaced by `tcpPrefix`; any other description
/// after `tls-over:`.
private func tlsDescription(of description: String, tcpPrefix: String) -> String {
    description.hasPrefix("tcp:") ? tcpPrefix + description.dropFirst(4) : "tls-over:" + description
}

/// Connects through another client endpoint and speaks TLS on the connection (Twisted's
/// `wrapClientTLS`). The description `tls:HOST:PORT[:trustRoots=DIR][:certificate=…:privateKey=…]`
/// makes one over a host-name endpoint.
public final class TLSClientEndpoint: ClientEndpoint {
    /// The endpoint that connects.
    public let wrappedEndpoint: any ClientEndpoint

    /// The client context the connection uses.
    public let context: TLSContext

    /// The name the server must prove it is (and SNI, for a DNS name).
    public let serverName: String

    private let clock: any ReactorTime

    /// An endpoint speaking TLS with `context` (a client context) over `wrappedEndpoint`,
    /// verifying the server as `serverName`; `clock` (the reactor) times the handshake.
    ///
    /// - Precondition: `context` is a client context.
    public init(wrapping wrappedEndpoint: any ClientEndpoint, context: TLSContext, serverName: String, clock: any ReactorTime) {
        precondition(context.role == .client, "a TLS client endpoint needs a client context")
        self.wrappedEndpoint = wrappedEndpoint
        self.context = context
        self.serverName = serverName
        self.clock = clock
    }

    /// Connects through the wrapped endpoint. The Deferred fires with the application's protocol
    /// once the connection below exists and its `connectionMade` ran — before the handshake, as
    /// in Twisted; a failed handshake reaches that protocol's `connectionLost`.
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        let tlsFactory = TLSWrappingFactory(wrapping: factory, context: context, serverName: serverName, clock: clock)
        return wrappedEndpoint.connect(tlsFactory).addCallback { connected in
            (connected as? TLSProtocolWrapper)?.wrappedProtocol ?? connected
        }
    }

    /// Over TCP, `tls:` followed by the TCP description's arguments (trust roots and certificates
    /// are not part of it); over anything else, `tls-over:` and the wrapped endpoint's description.
    public var description: String { tlsDescription(of: wrappedEndpoint.description, tcpPrefix: "tls:") }
}
