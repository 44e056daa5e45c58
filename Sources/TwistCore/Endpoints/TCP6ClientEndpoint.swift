/// Connects over TCP to an IPv6 host (Twisted's `TCP6ClientEndpoint`).
///
/// **What `connect` promises.**
/// - An IPv6 literal (`::1`, with or without brackets) is used as it is, without a lookup.
/// - An IPv4 literal fails the Deferred with ``InvalidAddressError``: this endpoint speaks IPv6
///   only (use ``TCP4ClientEndpoint`` or ``HostnameEndpoint``).
/// - A host *name* is resolved through the resolver, and the first IPv6 address of the answer is
///   connected to (Twisted asks `getaddrinfo` for `AF_INET6` and takes the first answer). A name
///   with no IPv6 address — unknown, or IPv4 only — fails the Deferred with ``DNSLookupError``
///   naming the host and the IPv4 addresses it has, if any; no connection is attempted.
/// - The resolver is the one given to the initializer, or else the reactor when it is a
///   ``HostNameResolver`` (the libev `Reactor` is). Without either, a name fails with
///   ``DNSLookupError`` saying there is no resolver.
/// - Cancelling during the lookup fails the Deferred with ``CancelledError``; cancelling while
///   connecting, with ``ConnectingCancelledError`` as for every TCP endpoint.
///
/// There is no client `tcp6:` description type (Twisted has none); `tcp:` with an escaped IPv6
/// literal connects over IPv6 too, and this endpoint's description's `tcp6:` is only a label.
public final class TCP6ClientEndpoint: TCPClientEndpoint {
    /// What resolves a host name, when not the reactor.
    private let resolver: (any HostNameResolver)?

    /// An endpoint for `host`:`port`, with Twisted's defaults (30 s, no bind address); a name is
    /// resolved by `resolver`, or by the reactor when `resolver` is nil. Nothing happens until
    /// ``connect(_:)``.
    public init(
        reactor: any ReactorTCP, host: String, port: Int, timeout: Double = 30, bindAddress: IPAddress? = nil,
        resolver: (any HostNameResolver)? = nil
    ) {
        self.resolver = resolver
        super.init("tcp6", reactor: reactor, host: host, port: port, timeout: timeout, bindAddress: bindAddress)
    }

    /// Connects to the IPv6 literal, or to the first IPv6 address the name resolves to; see the
    /// type's summary for the failures.
    public override func connect(_ factory: Factory) -> Deferred<Protocol> {
        if let literal = IPAddress(numericHost: host, port: port) {
            guard literal.family == .ipv6 else {
                return fail(InvalidAddressError("tcp6: \(host) is an IPv4 address; this endpoint connects over IPv6 only"))
            }
            return connect(to: literal.host, factory)
        }
        guard let lookup = resolver ?? (reactor as? any HostNameResolver) else {
            return fail(DNSLookupError("tcp6: no resolver for host name \(host.debugDescription) (pass resolver:)"))
        }
        let name = host
        return lookup.resolveHostName(host, port: port).addCallback { [self] addresses throws -> Deferred<Protocol> in
            guard let first = addresses.first(where: { $0.family == .ipv6 }) else {
                let others = addresses.map(\.host)
                let detail = others.isEmpty ? "no addresses" : "IPv4 addresses only: \(others.joined(separator: ", "))"
                throw DNSLookupError("no IPv6 address for hostname lookup: \(name) (\(detail))")
            }
            return connect(to: first.host, factory)
        }
    }
}
