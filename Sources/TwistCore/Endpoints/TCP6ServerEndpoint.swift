/// Listens on a TCP port over IPv6 (Twisted's `TCP6ServerEndpoint`); the description string
/// `tcp6:PORT[:interface=IP][:backlog=N]` makes one (the colons of an IPv6 interface escaped:
/// `interface=\:\:1`).
public final class TCP6ServerEndpoint: TCPServerEndpoint {
    /// An endpoint for `port` on `interface`, with Twisted's defaults (backlog 50, "::" for every
    /// IPv6 interface). Nothing happens until ``TCPServerEndpoint/listen(_:)``.
    public init(reactor: any ReactorTCP, port: Int, backlog: Int = 50, interface: String = "::") {
        super.init("tcp6", reactor: reactor, port: port, backlog: backlog, interface: interface, defaultInterface: "::")
    }
}
