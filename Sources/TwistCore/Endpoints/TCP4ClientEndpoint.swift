/// Connects over TCP (Twisted's `TCP4ClientEndpoint`); the description string
/// `tcp:HOST:PORT[:timeout=SECONDS][:bindAddress=IP]` makes one.
public final class TCP4ClientEndpoint: TCPClientEndpoint {
    /// An endpoint for `host`:`port`, with Twisted's defaults (30 s, no bind address). Nothing
    /// happens until ``TCPClientEndpoint/connect(_:)``.
    public init(reactor: any ReactorTCP, host: String, port: Int, timeout: Double = 30, bindAddress: IPAddress? = nil) {
        super.init("tcp", reactor: reactor, host: host, port: port, timeout: timeout, bindAddress: bindAddress)
    }
}
