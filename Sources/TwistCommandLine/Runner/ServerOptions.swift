public import ArgumentParser
public import Logging

/// The options every Twist server takes, for ``TwistRunner``: where to listen (``ListenOptions``:
/// `--listen DESCRIPTION`, repeatable, and `--port`/`--iface`), `--log-level`, `--log-format`,
/// `--pidfile` and `--shutdown-grace`. A server's command adds them with
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

    /// The defaults, before ArgumentParser fills in the command line.
    public init() {}

    /// Rejects a negative or infinite grace period.
    public func validate() throws {
        guard shutdownGrace >= 0, shutdownGrace.isFinite else {
            throw ValidationError("--shutdown-grace must be a non-negative number of seconds, got \(shutdownGrace)")
        }
    }
}
