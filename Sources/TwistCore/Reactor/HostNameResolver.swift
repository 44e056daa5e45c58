/// Turns a host name into addresses without blocking the loop (Twisted's `IHostnameResolver`, as
/// `HostnameEndpoint` uses it). The libev `Reactor` is one (`getaddrinfo` on a thread of its own);
/// a test gives a fake that answers from a table, when the test says.
public protocol HostNameResolver: AnyObject {
    /// Resolves `host` for stream connections to `port`: the IPv4 and IPv6 addresses in the order
    /// the system gives them (no sorting, no interleaving), each once. A numeric host resolves to
    /// itself. A name nobody knows, or a lookup that fails, resolves to no addresses — the caller
    /// decides what that means. The Deferred fires on the reactor thread and never fails, except
    /// with ``CancelledError`` when cancelled.
    func resolveHostName(_ host: String, port: Int) -> Deferred<[IPAddress]>
}
