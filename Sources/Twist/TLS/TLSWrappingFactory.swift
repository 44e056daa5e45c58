public import TwistCore

/// A factory whose connections speak TLS (Twisted's `TLSMemoryBIOFactory`): each protocol the
/// wrapped factory builds is wrapped in a ``TLSProtocolWrapper`` with ``context``. Use it for a
/// listening port (a server context) or a connector (a client context, with the name to verify).
/// ``TLSServerEndpoint``, ``TLSClientEndpoint``, `listenSSL` and `connectSSL` build one for you.
///
/// Like any ``WrappingFactory`` it passes starting, stopping and client notifications through,
/// and lists its connected wrappers in ``WrappingFactory/protocols``. It is quiet: it logs no
/// "Starting factory" lines of its own. A wrapper OpenSSL cannot create (out of memory) is
/// refused with an error logged, and that one connection is closed.
public final class TLSWrappingFactory: WrappingFactory {
    /// The context every connection uses.
    public let context: TLSContext

    /// The name a client connection verifies and sends as SNI; nil on a server.
    public let serverName: String?

    /// Times handshakes and close_notify waits.
    let clock: any ReactorTime

    /// Makes one connection's TLS wrapper: ``TLSProtocolWrapper``'s initializer, which throws
    /// when OpenSSL cannot create the connection. Internal, so a test can make that happen.
    var makeTLSWrapper: (_ wrapped: Protocol, _ factory: TLSWrappingFactory) throws -> ProtocolWrapper = { wrapped, factory in
        try TLSProtocolWrapper(
            wrapping: wrapped, context: factory.context, serverName: factory.serverName, clock: factory.clock, factory: factory
        )
    }

    /// The decryption buffer the connections of this factory share.
    let plaintext = TLSPlaintextBuffer()

    /// A factory wrapping `wrappedFactory`'s protocols in TLS with `context`; a client context
    /// verifies the server as `serverName`. `clock` is the reactor (or a test clock).
    public init(wrapping wrappedFactory: Factory, context: TLSContext, serverName: String? = nil, clock: any ReactorTime) {
        self.context = context
        self.serverName = serverName
        self.clock = clock
        super.init(wrapping: wrappedFactory)
        noisy = false
    }

    /// Wraps `wrapped` in a ``TLSProtocolWrapper``. When OpenSSL cannot create the connection,
    /// logs why and returns a wrapper that aborts at once.
    public override func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
        do {
            return try makeTLSWrapper(wrapped, self)
        } catch {
            logger.error("\(logPrefix): cannot create a TLS connection: \(error)")
            return RefusingWrapper(wrapping: wrapped, factory: self)
        }
    }

    /// The wrapped factory's prefix followed by "(TLS)".
    public override var logPrefix: String { "\(wrappedFactory.logPrefix) (TLS)" }

    /// Stands in for a TLS connection OpenSSL could not create: aborts the connection at once,
    /// without connecting the wrapped protocol.
    private final class RefusingWrapper: ProtocolWrapper {
        override func connectWrappedProtocol() {
            transport?.abortConnection()
        }
    }
}
