/// Connects over TCP: the one implementation behind ``TCP4ClientEndpoint`` (`tcp:`) and
/// ``TCP6ClientEndpoint``, which differ in the type name their description shows and in how
/// ``TCP6ClientEndpoint`` resolves a name (IPv6 only).
public class TCPClientEndpoint: ClientEndpoint {
    /// The reactor that connects.
    public let reactor: any ReactorTCP
    /// Where to connect: a numeric address or a name. ``TCP4ClientEndpoint`` gives it to
    /// `connectTCP` as it is (the reactor resolves a name); ``TCP6ClientEndpoint`` resolves a
    /// name itself, IPv6 only.
    public let host: String
    /// The port to connect to.
    public let port: Int
    /// How long one attempt may take, in seconds.
    public let timeout: Double
    /// The local address to connect from, if any.
    public let bindAddress: IPAddress?
    /// The description's type name.
    private let typeName: String

    init(_ typeName: String, reactor: any ReactorTCP, host: String, port: Int, timeout: Double, bindAddress: IPAddress?) {
        self.typeName = typeName
        self.reactor = reactor
        self.host = host
        self.port = port
        self.timeout = timeout
        self.bindAddress = bindAddress
    }

    /// Calls `connectTCP` now with a factory of its own around `factory`; see
    /// ``ClientEndpoint/connect(_:)`` for what the Deferred promises.
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        connect(to: host, factory)
    }

    /// Calls `connectTCP` for `address` (the host, or what it resolved to) with this endpoint's
    /// port, timeout and bind address.
    func connect(to address: String, _ factory: Factory) -> Deferred<Protocol> {
        EndpointConnectionFactory(wrapping: factory).connect { wrapper in
            reactor.connectTCP(address, port, wrapper, timeout: timeout, bindAddress: bindAddress)
        }
    }

    /// `tcp:HOST:PORT` (the host escaped), then `timeout=` when it is not 30 and `bindAddress=`
    /// when there is one.
    public var description: String {
        var text = "\(typeName):\(EndpointDescription.quotePositional(host)):\(port)"
        if timeout != 30 { text += ":timeout=\(secondsText(timeout))" }
        if let bindAddress { text += ":bindAddress=\(quoteStringArgument(bindAddress.host))" }
        return text
    }
}

/// Seconds as a description writes them: "30" for a whole number, "2.5" otherwise.
func secondsText(_ seconds: Double) -> String {
    if seconds == seconds.rounded(), abs(seconds) < 1e15 { return String(Int(seconds)) }
    return String(seconds)
}
