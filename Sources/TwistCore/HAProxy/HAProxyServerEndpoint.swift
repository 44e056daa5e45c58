/// Listens through another server endpoint, expecting every connection to start with a PROXY
/// protocol header (Twisted's `haproxy:` endpoint): the protocols see the original client as
/// their peer. The description string `haproxy:<any server description>` makes one, such as
/// `haproxy:tcp:8080:interface=127.0.0.1` or `haproxy:unix:/run/app.sock`; its key
/// `headerTimeout=SECONDS` (default 10, `0` for none) limits the time a connection has to send
/// its header.
public final class HAProxyServerEndpoint: ServerEndpoint {
    /// The endpoint that listens.
    public let wrappedEndpoint: any ServerEndpoint
    /// The time each connection has for its header; nil for no limit.
    public let headerTimeout: PROXYHeaderTimeout?

    /// An endpoint listening through `wrappedEndpoint`, aborting connections whose header is not
    /// complete within `headerTimeout` (no limit when nil). Nothing happens until ``listen(_:)``.
    public init(wrapping wrappedEndpoint: any ServerEndpoint, headerTimeout: PROXYHeaderTimeout? = nil) {
        self.wrappedEndpoint = wrappedEndpoint
        self.headerTimeout = headerTimeout
    }

    /// Listens through the wrapped endpoint with `factory` wrapped in a
    /// ``HAProxyWrappingFactory``; fires (or fails) as the wrapped endpoint's Deferred does.
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        wrappedEndpoint.listen(HAProxyWrappingFactory(wrapping: factory, headerTimeout: headerTimeout))
    }

    /// `haproxy:` followed by the wrapped endpoint's description, then `:headerTimeout=SECONDS`
    /// when it is not the string default (10; `0` for none).
    public var description: String {
        let text = "haproxy:" + wrappedEndpoint.description
        switch headerTimeout?.seconds {
        case PROXYHeaderTimeout.defaultSeconds: return text
        case nil: return text + ":headerTimeout=0"
        case let seconds?: return text + ":headerTimeout=\(secondsText(seconds))"
        }
    }
}
