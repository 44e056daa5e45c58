public import ArgumentParser
public import Logging
public import Twist

/// The options every Twist server takes, for ``TwistRunner``: where to listen (``ListenOptions``:
/// `--listen DESCRIPTION`, repeatable, and `--port`/`--iface`), `--log-level`, `--log-format`,
/// `--pidfile`, `--shutdown-grace`, and the connection policies `--idle-timeout` and
/// `--max-connections-per-peer` (off unless given). A server's command adds them with
/// `@OptionGroup var server: ServerOptions`.
public struct ServerOptions: ParsableArguments {
    /// Where to listen.
    @OptionGroup public var listening: ListenOptions

    /// The lowest level logged to standard error.
    @Option(help: "The lowest log level written to standard error: trace, debug, info, notice, warning (or warn), error, critical.")
    public var logLevel: Logger.Level = .warning

    /// How log lines are written.
    @Option(help: "How log lines are written: text, or json (one object per line).")
    public var logFormat: LogFormat = .text

    /// The file to write the process id into while the server runs.
    @Option(help: ArgumentHelp("A file to write the process id into while serving; removed on exit.", valueName: "path"))
    public var pidfile: String?

    /// How long a graceful stop waits for the services before stopping anyway.
    @Option(help: "Seconds a graceful stop (SIGTERM, SIGINT) waits for the services to stop before giving up.")
    public var shutdownGrace: Double = 10

    /// Seconds a connection may stay idle (nothing received, nothing written) before it is
    /// closed; nil keeps idle connections open.
    @Option(help: ArgumentHelp("Close a connection idle (nothing received or sent) this many seconds.", valueName: "seconds"))
    public var idleTimeout: Double?

    /// How many connections one peer (one IP address) may hold open at once; nil for no limit.
    @Option(help: ArgumentHelp("Refuse a peer's connections beyond this many open at once (by IP address).", valueName: "count"))
    public var maxConnectionsPerPeer: Int?

    /// How many reactors serve, each on a thread of its own (a ``ReactorGroup`` when more than one).
    @Option(help: "How many reactors serve the endpoints, each on its own thread (servers that support it).")
    public var reactors: Int = 1

    /// How a group's reactors share a listening port.
    @Option(help: "With --reactors above 1: handoff (one reactor accepts and deals connections round robin) or reuseport (SO_REUSEPORT: the kernel spreads them).")
    public var reactorStrategy: GroupListeningStrategy = .handOff

    /// The defaults, before ArgumentParser fills in the command line.
    public init() {}

    /// Rejects a negative or infinite grace period.
    public func validate() throws {
        guard shutdownGrace >= 0, shutdownGrace.isFinite else {
            throw ValidationError("--shutdown-grace must be a non-negative number of seconds, got \(shutdownGrace)")
        }
        if let idleTimeout, !(idleTimeout > 0 && idleTimeout.isFinite) {
            throw ValidationError("--idle-timeout must be a positive number of seconds, got \(idleTimeout)")
        }
        guard (1...1024).contains(reactors) else {
            throw ValidationError("--reactors must be between 1 and 1024, got \(reactors)")
        }
        if let maxConnectionsPerPeer, maxConnectionsPerPeer < 1 {
            throw ValidationError("--max-connections-per-peer must be at least 1, got \(maxConnectionsPerPeer)")
        }
    }
}

extension GroupListeningStrategy: ExpressibleByArgument {
    /// Parses `handoff` or `reuseport`.
    public init?(argument: String) {
        self.init(argument)
    }

    /// The words `--help` lists.
    public static var allValueStrings: [String] { ["handoff", "reuseport"] }
}
