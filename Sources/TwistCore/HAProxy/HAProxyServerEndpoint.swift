/// Listens through another server endpoint, expecting every connection to start with a PROXY
/// protocol header (Twisted's `haproxy:` endpoint): the protocols see the original client as
/// their peer. The description string `haproxy:<any server description>` makes one, such as
/// `haproxy:tcp:8080:interface=127.0.0.1` or `haproxy:unix:/run/app.sock`.
public final class HAProxyServerEndpoint: ServerEndpoint {
    /// The endpoint that listens.
    public let wrappedEndpoint: any ServerEndpoint

    /// An endpoint listening through `wrappedEndpoint`. Nothing happens until ``listen(_:)``.
    public init(wrapping wrappedEndpoint: any ServerEndpoint) {
        self.wrappedEndpoint = wrappedEndpoint
    }

    /// Listens through the wrapped endpoint with `factory` wrapped in a
    /// ``HAProxyWrappingFactory``; fires (or fails) as the wrapped endpoint's Deferred does.
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        wrappedEndpoint.listen(HAProxyWrappingFactory(wrapping: factory))
    }

    /// `haproxy:` followed by the wrapped endpoint's description.
    public var description: String {
        "haproxy:" + wrappedEndpoint.description
    }
}
