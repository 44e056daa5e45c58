public import ArgumentParser
public import Twist

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

    /// Listens with `factory` on every endpoint, in order, and calls `announce` with each port
    /// once it listens (port 0 resolved in its address).
    ///
    /// - Throws: a `ValidationError` naming the description when one cannot be parsed (a usage
    ///   error: exit status 2 under `mainWithUsageStatus2`); the endpoint's own error (such as
    ///   ``CannotListenError``) when it cannot listen. Ports opened before the failure are closed.
    public func listen(
        _ reactor: Reactor, _ factory: Factory, announce: @escaping (any ListeningPort) -> Void
    ) throws -> [any ListeningPort] {
        var endpoints: [any ServerEndpoint] = []
        for description in endpointDescriptions {
            do {
                endpoints.append(try serverFromString(reactor, description))
            } catch {
                throw ValidationError("bad --listen '\(description)': \(error)")
            }
        }
        var ports: [any ListeningPort] = []
        for endpoint in endpoints {
            // Every endpoint Twist ships listens at once; one that does not is waited for by the
            // reactor, and its late failure stops the reactor.
            var listenedAtOnce = true
            var outcome: Result<any ListeningPort, Failure>?
            endpoint.listen(factory).addBoth { result in
                guard !listenedAtOnce else { return outcome = result }
                switch result {
                case .success(let port): announce(port)
                case .failure(let failure):
                    Console.err("Error: \(endpoint): \(failure.error)\n")
                    try? reactor.stop()
                }
            }
            listenedAtOnce = false
            switch outcome {
            case .success(let port)?:
                ports.append(port)
                announce(port)
            case .failure(let failure)?:
                for port in ports { port.stopListening() }
                throw failure.error
            case nil:
                break
            }
        }
        return ports
    }
}
