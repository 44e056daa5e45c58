/// Connects over TCP to an IPv6 host (Twisted's `TCP6ClientEndpoint`).
///
/// An IPv6 literal (`::1`, with or without brackets) is used as it is. A host *name* is, for
/// now, also handed to `connectTCP` as it is, so the reactor resolves it as it resolves any
/// name — not restricted to IPv6 answers as Twisted's `getaddrinfo(AF_INET6)` lookup is. There
/// is no client `tcp6:` description type (Twisted has none); `tcp:` with an escaped IPv6
/// literal connects over IPv6 too.
public final class TCP6ClientEndpoint: ClientEndpoint {
    /// The reactor that connects.
    public let reactor: any ReactorTCP
    /// Where to connect: an IPv6 literal (or a name, see above).
    public let host: String
    /// The port to connect to.
    public let port: Int
    /// How long one attempt may take, in seconds.
    public let timeout: Double
    /// The local address to connect from, if any.
    public let bindAddress: IPAddress?

    /// An endpoint for `host`:`port`, with Twisted's defaults (30 s, no bind address). Nothing
    /// happens until ``connect(_:)``.
    public init(reactor: any ReactorTCP, host: String, port: Int, timeout: Double = 30, bindAddress: IPAddress? = nil) {
        self.reactor = reactor
        self.host = host
        self.port = port
        self.timeout = timeout
        self.bindAddress = bindAddress
    }

    /// Calls `connectTCP` now with a factory of its own around `factory`; see
    /// ``ClientEndpoint/connect(_:)`` for what the Deferred promises.
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        EndpointConnectionFactory(wrapping: factory).connect { wrapper in
            reactor.connectTCP(host, port, wrapper, timeout: timeout, bindAddress: bindAddress)
        }
    }

    /// `tcp6:HOST:PORT` (the host's colons escaped), then `timeout=` when it is not 30 and
    /// `bindAddress=` when there is one. A label in the grammar's form: no client parser takes
    /// `tcp6`.
    public var description: String {
        clientDescription("tcp6", host: host, port: port, timeout: timeout, bindAddress: bindAddress)
    }
}
