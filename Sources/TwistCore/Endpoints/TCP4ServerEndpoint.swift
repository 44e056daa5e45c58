/// Listens on a TCP port over IPv4 (Twisted's `TCP4ServerEndpoint`); the description string
/// `tcp:PORT[:interface=IP][:backlog=N]` makes one.
public final class TCP4ServerEndpoint: TCPServerEndpoint {
    /// An endpoint for `port` on `interface`, with Twisted's defaults (backlog 50, "" for every
    /// IPv4 interface). Nothing happens until ``TCPServerEndpoint/listen(_:)``.
    public init(reactor: any ReactorTCP, port: Int, backlog: Int = 50, interface: String = "") {
        super.init("tcp", reactor: reactor, port: port, backlog: backlog, interface: interface, defaultInterface: "")
    }
}
