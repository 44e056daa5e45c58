/// Listens on a TCP port over IPv4 (Twisted's `TCP4ServerEndpoint`); the description string
/// `tcp:PORT[:interface=IP][:backlog=N]` makes one.
public final class TCP4ServerEndpoint: ServerEndpoint {
    /// The reactor that listens.
    public let reactor: any ReactorTCP
    /// The port to listen on (0 for any free port).
    public let port: Int
    /// The listen queue's length.
    public let backlog: Int
    /// The numeric address to listen on; "" for every IPv4 interface.
    public let interface: String

    /// An endpoint for `port` on `interface`, with Twisted's defaults (backlog 50, every IPv4
    /// interface). Nothing happens until ``listen(_:)``.
    public init(reactor: any ReactorTCP, port: Int, backlog: Int = 50, interface: String = "") {
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

    /// `tcp:PORT`, then `interface=` and `backlog=` when they differ from the defaults.
    public var description: String {
        serverDescription("tcp", port: port, interface: interface, defaultInterface: "", backlog: backlog)
    }
}

/// Runs a reactor's listen call and turns its outcome into a fired Deferred.
func listening(_ body: () throws -> any ListeningPort) -> Deferred<any ListeningPort> {
    do {
        return succeed(try body())
    } catch {
        return fail(error)
    }
}

/// The description of a TCP server endpoint.
func serverDescription(_ type: String, port: Int, interface: String, defaultInterface: String, backlog: Int) -> String {
    var text = "\(type):\(port)"
    if interface != defaultInterface { text += ":interface=\(quoteStringArgument(interface))" }
    if backlog != 50 { text += ":backlog=\(backlog)" }
    return text
}
