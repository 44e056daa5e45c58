public import ArgumentParser

/// The options every poetry server shares: `--port` and `--iface`.
public struct ServerOptions: ParsableArguments {
    /// The port to listen on; 0 (the default) lets the system pick a free one.
    @Option(help: "The port to listen on; 0 lets the system pick a free one.")
    public var port: Int = 0

    /// The numeric address to listen on.
    @Option(help: "The numeric address to listen on; 'localhost' means 127.0.0.1.")
    public var iface: String = "127.0.0.1"

    /// The defaults, port 0 and 127.0.0.1, before ArgumentParser fills in the command line.
    public init() {}

    /// The interface as `listenTCP` takes it: `localhost` becomes `127.0.0.1`.
    public var interface: String { iface == "localhost" ? "127.0.0.1" : iface }

    /// Rejects a port outside 0...65535.
    public func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
    }
}
