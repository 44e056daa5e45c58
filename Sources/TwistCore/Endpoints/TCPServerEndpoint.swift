/// Listens on a TCP port: the one implementation behind ``TCP4ServerEndpoint`` (`tcp:`) and
/// ``TCP6ServerEndpoint`` (`tcp6:`), which differ only in their default interface and the type
/// name their description shows.
public class TCPServerEndpoint: ServerEndpoint {
    /// The reactor that listens.
    public let reactor: any ReactorTCP
    /// The port to listen on (0 for any free port).
    public let port: Int
    /// The listen queue's length.
    public let backlog: Int
    /// The numeric address to listen on.
    public let interface: String
    /// The description's type name and the interface it leaves out.
    private let typeName: String
    private let defaultInterface: String

    init(_ typeName: String, reactor: any ReactorTCP, port: Int, backlog: Int, interface: String, defaultInterface: String) {
        self.typeName = typeName
        self.defaultInterface = defaultInterface
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

    /// `tcp:PORT` or `tcp6:PORT`, then `interface=` (escaped) and `backlog=` when they differ from
    /// the defaults.
    public var description: String {
        var text = "\(typeName):\(port)"
        if interface != defaultInterface { text += ":interface=\(quoteStringArgument(interface))" }
        if backlog != 50 { text += ":backlog=\(backlog)" }
        return text
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
