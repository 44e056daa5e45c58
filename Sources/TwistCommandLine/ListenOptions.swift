public import ArgumentParser
import Twist

/// The listening options every Twist server takes (Twisted's `twist --listen`):
/// `--listen DESCRIPTION`, repeatable, with an endpoint description such as `tcp:8080`,
/// `tcp6:8080:interface=\:\:1` or `unix:/run/app.sock` (see Docs/Endpoints.md), and
/// `--port N [--iface HOST]` as the shorthand for `tcp:N:interface=HOST`.
///
/// With neither, a server listens on `tcp:0:interface=127.0.0.1` (a free port on loopback). With
/// `--listen` only, it listens on those; with both, on the shorthand's endpoint first, then on
/// each `--listen`.
public struct ListenOptions: ParsableArguments {
    /// The endpoint descriptions given with `--listen`, in order.
    @Option(name: .customLong("listen"), help: listenHelp)
    public var descriptions: [String] = []

    private static let listenHelp = ArgumentHelp(
        "An endpoint to listen on, such as tcp:8080, tcp6:8080:interface=\\:\\:1 or unix:/tmp/app.sock; repeatable.",
        valueName: "description"
    )

    /// The TCP port of the shorthand endpoint; 0 lets the system pick a free one.
    @Option(help: "The TCP port to listen on (shorthand for --listen tcp:PORT:interface=IFACE); 0 picks a free one.")
    public var port: Int?

    /// The numeric address of the shorthand endpoint.
    @Option(help: "The numeric address --port listens on; 'localhost' means 127.0.0.1.")
    public var iface: String = "127.0.0.1"

    /// The defaults, before ArgumentParser fills in the command line.
    public init() {}

    /// Rejects a port outside 0...65535.
    public func validate() throws {
        if let port, !(0...65_535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535, got \(port)")
        }
    }

    /// The endpoint descriptions to listen on, the shorthand's first (see the type's summary).
    public var endpointDescriptions: [String] {
        guard port != nil || descriptions.isEmpty else { return descriptions }
        let interface = iface == "localhost" ? "127.0.0.1" : iface
        return ["tcp:\(port ?? 0):interface=\(quoteStringArgument(interface))"] + descriptions
    }
}
