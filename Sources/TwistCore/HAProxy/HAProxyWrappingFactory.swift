/// Wraps every protocol of another factory in a ``HAProxyProtocolWrapper``, so that each
/// connection must start with a PROXY protocol header (what the `haproxy:` endpoint prefix
/// listens with).
///
/// ``buildProtocol(address:)`` asks the wrapped factory only once a connection's header is
/// complete, with the *client's* address from the header (Twisted asks at once, with the
/// proxy's): a factory that filters by address sees the real client. A refusal (nil) then aborts
/// that connection with a warning. Its logger starts as the wrapped factory's, so a rejected
/// header is logged where the application logs.
/// With a ``headerTimeout``, a connection whose header is not complete in time is aborted.
open class HAProxyWrappingFactory: WrappingFactory {
    /// The largest version 2 header length (after the fixed part) each connection accepts.
    public let maximumV2Length: Int
    /// The time each connection has for its header; nil for no limit.
    public let headerTimeout: PROXYHeaderTimeout?

    /// A factory wrapping the protocols of `wrappedFactory`, accepting version 2 headers of at
    /// most `maximumV2Length` bytes after their fixed part, within `headerTimeout` (no limit when
    /// nil, the default here; the `haproxy:` prefix sets 10 seconds).
    public init(wrapping wrappedFactory: Factory, maximumV2Length: Int = 16 * 1024, headerTimeout: PROXYHeaderTimeout? = nil) {
        self.maximumV2Length = maximumV2Length
        self.headerTimeout = headerTimeout
        super.init(wrapping: wrappedFactory)
        logger = wrappedFactory.logger
    }

    /// A half-closeable ``HAProxyProtocolWrapper`` that builds its protocol with the wrapped
    /// factory once the header names the client (`address`, the proxy's, is not used). A wrapped
    /// protocol that is not half-closeable is closed at the end of input, as unwrapped.
    open override func buildProtocol(address: Address) -> Protocol? {
        HalfCloseableHAProxyProtocolWrapper(
            building: wrappedFactory, factory: self, maximumV2Length: maximumV2Length, headerTimeout: headerTimeout
        )
    }

    /// A ``HAProxyProtocolWrapper`` around `wrapped` (half-closeable when `wrapped` is), with this
    /// factory as its factory.
    open override func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
        if wrapped is any HalfCloseableProtocol {
            return HalfCloseableHAProxyProtocolWrapper(wrapping: wrapped, factory: self, maximumV2Length: maximumV2Length, headerTimeout: headerTimeout)
        }
        return HAProxyProtocolWrapper(wrapping: wrapped, factory: self, maximumV2Length: maximumV2Length, headerTimeout: headerTimeout)
    }
}
