/// Listens on a TCP port over IPv6 (Twisted's `TCP6ServerEndpoint`); the description string
/// `tcp6:PORT[:interface=IP][:backlog=N]` makes one (the colons of an IPv6 interface escaped:
/// `interface=\:\:1`).
public final class TCP6ServerEndpoint: ServerEndpoint {
    /// The reactor that listens.
    public let reactor: any ReactorTCP
    /// The port to listen on (0 for any free port).
    public let port: Int
    /// The listen queue's length.
    public let backlog: Int
    /// The numeric address to listen on; "::" for every IPv6 interface.
    public let interface: String

    /// An endpoint for `port` on `interface`, with Twisted's defaults (backlog 50, every IPv6
    /// interface). Nothing happens until ``listen(_:)``.
    public init(reactor: any ReactorTCP, port: Int, backlog: Int = 50, interface: String = "::") {
        self.reactor = reactor
        self.port = port
        self.backlog = backlog
        self.interface = interface
    }

    /// Calls `listenTCP` now, with `factory` as it is; the Deferred has fired when it is returned:
    /// with the port, or with the error `listenTCP` threw.
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        listening { try reactor.listenTCP(port, factory, backlog: backlog, interface: interface) }
    }

    /// `tcp6:PORT`, then `interface=` (escaped) and `backlog=` when they differ from the defaults.
    public var description: String {
        serverDescription("tcp6", port: port, interface: interface, defaultInterface: "::", backlog: backlog)
    }
}
