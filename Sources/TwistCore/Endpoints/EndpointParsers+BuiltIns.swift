/// The parsers of the built-in types. Positional pieces bind in the order of Twisted's parser
/// functions; every argument can also be given by key.
extension EndpointParsers {
    /// `tcp:PORT[:INTERFACE[:BACKLOG]]`, keys `port`, `interface` (default ""), `backlog` (50).
    static func parseTCPServer(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ServerEndpoint {
        let (port, backlog, interface) = try tcpServerArguments(description, order: ["port", "interface", "backlog"], defaultInterface: "")
        return TCP4ServerEndpoint(reactor: reactor, port: port, backlog: backlog, interface: interface)
    }

    /// `tcp6:PORT[:BACKLOG[:INTERFACE]]` (Twisted's order), keys `port`, `backlog` (50),
    /// `interface` (default "::").
    static func parseTCP6Server(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ServerEndpoint {
        let (port, backlog, interface) = try tcpServerArguments(description, order: ["port", "backlog", "interface"], defaultInterface: "::")
        return TCP6ServerEndpoint(reactor: reactor, port: port, backlog: backlog, interface: interface)
    }

    /// The arguments both TCP server types take, positionals bound in `order`.
    private static func tcpServerArguments(
        _ description: EndpointDescription, order: [String], defaultInterface: String
    ) throws(EndpointDescriptionError) -> (port: Int, backlog: Int, interface: String) {
        let arguments = try EndpointArguments(description, parameters: order)
        return (try arguments.integer("port"), try arguments.integer("backlog", default: 50), arguments["interface"] ?? defaultInterface)
    }

    /// `unix:ADDRESS[:MODE[:BACKLOG[:LOCKFILE]]]`, keys `address`, `mode` (octal, 0o666),
    /// `backlog` (50), `lockfile` (default **1**); `path=` is an unknown key, as in Twisted.
    static func parseUNIXServer(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ServerEndpoint {
        let arguments = try EndpointArguments(description, parameters: ["address", "mode", "backlog", "lockfile"])
        return UNIXServerEndpoint(
            reactor: reactor,
            path: try arguments.required("address"),
            backlog: try arguments.integer("backlog", default: 50),
            mode: try arguments.octal("mode", default: 0o666),
            wantPID: try arguments.boolean("lockfile", default: true)
        )
    }

    /// `tcp:HOST:PORT`, keys `host`, `port`, `timeout` (seconds, 30), `bindAddress` (a numeric IP;
    /// the local port is 0). When `host=` is given, a single positional is the port.
    static func parseTCPClient(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ClientEndpoint {
        let hostGivenByKey = description.keywords["host"] != nil && description.positional.count == 1
        let parameters = hostGivenByKey ? ["port", "host"] : ["host", "port"]
        let arguments = try EndpointArguments(description, parameters: parameters + ["timeout", "bindAddress"])
        if description.positional.count > 2 {
            throw .tooManyArguments(type: description.typeName, piece: description.positional[2])
        }
        return TCP4ClientEndpoint(
            reactor: reactor,
            host: try arguments.required("host"),
            port: try arguments.integer("port"),
            timeout: try arguments.seconds("timeout", default: 30),
            bindAddress: try arguments.ipAddress("bindAddress")
        )
    }

    /// `unix:PATH`, keys `path`, `timeout` (seconds, 30), `checkPID` and its synonym `lockfile`
    /// (booleans, default 0; when both are given `checkPID` wins).
    static func parseUNIXClient(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ClientEndpoint {
        let arguments = try EndpointArguments(description, parameters: ["path", "timeout", "checkPID", "lockfile"])
        if description.positional.count > 1 {
            throw .tooManyArguments(type: description.typeName, piece: description.positional[1])
        }
        let lockfile = try arguments.boolean("lockfile", default: false)
        return UNIXClientEndpoint(
            reactor: reactor,
            path: try arguments.required("path"),
            timeout: try arguments.seconds("timeout", default: 30),
            checkPID: try arguments.boolean("checkPID", default: lockfile)
        )
    }
}
