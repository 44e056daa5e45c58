/// Connects over TCP to an IPv6 host (Twisted's `TCP6ClientEndpoint`).
///
/// An IPv6 literal (`::1`, with or without brackets) is used as it is. A host *name* is, for
/// now, also handed to `connectTCP` as it is, so the reactor resolves it as it resolves any
/// name — not restricted to IPv6 answers as Twisted's `getaddrinfo(AF_INET6)` lookup is. There
/// is no client `tcp6:` description type (Twisted has none); `tcp:` with an escaped IPv6
/// literal connects over IPv6 too, and its description's `tcp6:` is only a label.
public final class TCP6ClientEndpoint: TCPClientEndpoint {
    /// An endpoint for `host`:`port`, with Twisted's defaults (30 s, no bind address). Nothing
    /// happens until ``TCPClientEndpoint/connect(_:)``.
    public init(reactor: any ReactorTCP, host: String, port: Int, timeout: Double = 30, bindAddress: IPAddress? = nil) {
        super.init("tcp6", reactor: reactor, host: host, port: port, timeout: timeout, bindAddress: bindAddress)
    }
}
