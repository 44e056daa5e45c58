import Glibc
public import Logging
public import TwistCore

extension Reactor {
    /// Runs this reactor around one main function and returns the status the program should exit
    /// with (Twisted's `task.react`, without the exit; ``react(installSignalHandlers:logger:_:)``
    /// adds it).
    ///
    /// `main` is called at once, before the reactor runs (on the calling thread, which sets the
    /// reactor up). Then the reactor runs until the Deferred it returned has a result, which stops
    /// the reactor once, through ``callWhenRunning(_:)``, or until something else stops it. The
    /// status is:
    /// - 0 when the Deferred succeeded, or never fired before the reactor stopped;
    /// - `n` when it failed with ``SystemExit``(`n`), logging nothing;
    /// - 1 when it failed with any other error, logged at error level on the reactor's logger as
    ///   "main function encountered error".
    ///
    /// A result that arrives while the reactor is already shutting down (something else stopped
    /// it) sets the status without a second stop. The failure is consumed either way: it is never
    /// reported as an unhandled Deferred error.
    ///
    /// - Parameters:
    ///   - installSignalHandlers: passed to ``run(installSignalHandlers:)``.
    ///   - main: the program; it gets this reactor.
    /// - Throws: what `main` throws (the reactor then never runs); ``ReactorAlreadyRunning`` or
    ///   ``ReactorNotRestartable`` when this reactor is running or has run (`main` is then not called).
    public nonisolated func runMain<Value>(
        installSignalHandlers: Bool = false, _ main: (Reactor) throws -> Deferred<Value>
    ) throws -> Int32 {
        try requireNeverRun()
        let finished = try main(self)
        return try run(until: finished, installSignalHandlers: installSignalHandlers)
    }

    /// Runs this reactor around one async main function and returns the status the program should
    /// exit with: as ``runMain(installSignalHandlers:_:)``, with the
    /// function's return as success and what it throws as failure.
    ///
    /// The body is isolated to this reactor, whatever the caller's isolation (main-actor top-level
    /// code included): it starts on the reactor's first turn and every `await` in it resumes on
    /// the reactor thread, so it may use the reactor and everything confined to it directly.
    ///
    /// - Throws: ``ReactorAlreadyRunning`` or ``ReactorNotRestartable`` when this reactor is
    ///   running or has run (`main` is then not called).
    public nonisolated func runMain<Value>(
        installSignalHandlers: Bool = false, _ main: @escaping (isolated Reactor) async throws -> Value
    ) throws -> Int32 {
        try requireNeverRun()
        return try run(until: Deferred(on: self, main), installSignalHandlers: installSignalHandlers)
    }

    private nonisolated func requireNeverRun() throws {
        switch core.state {
        case .idle: return
        case .starting, .running, .stopping: throw ReactorAlreadyRunning()
        case .stopped: throw ReactorNotRestartable()
        }
    }

    private nonisolated func run<Value>(until finished: Deferred<Value>, installSignalHandlers: Bool) throws -> Int32 {
        let outcome = MainOutcome()
        addSystemEventTrigger(.before, .shutdown) { outcome.shutdownBegan() }
        let logger = self.logger
        _ = finished.addBoth { [weak self] result in
            guard outcome.record(result, logger: logger) else { return }
            // Stopped once, when the reactor runs (at once if it does), unless it is stopping already.
            self?.callWhenRunning { [weak self] in try? self?.stop() }
        }
        try run(installSignalHandlers: installSignalHandlers)
        return outcome.reactorReturned()
    }
}

/// Runs a new reactor around one main function, then exits the process with its status (Twisted's
/// `task.react`): see ``Reactor/runMain(installSignalHandlers:_:)``
/// for when it stops and which status it exits with. It returns only by throwing.
///
/// - Parameters:
///   - installSignalHandlers: when true (the default, as in Twisted), SIGINT and SIGTERM stop the
///     reactor gracefully; a main function whose Deferred has not fired by then exits with 0.
///   - logger: the reactor's logger, where a failure of `main` is logged.
///   - main: the program; it gets the reactor, before the reactor runs.
/// - Throws: what `main` throws synchronously; the reactor then never runs.
public func react<Value>(
    installSignalHandlers: Bool = true,
    logger: Logger = Logger(label: "twist.reactor"),
    _ main: (Reactor) throws -> Deferred<Value>
) throws -> Never {
    let status = try Reactor(logger: logger).runMain(installSignalHandlers: installSignalHandlers, main)
    exit(status)
}

/// Runs a new reactor around one async main function, isolated to the reactor whatever the
/// caller's isolation, then exits the process with its status: success 0, ``SystemExit`` its
/// status, any other error 1 (logged). See
/// ``Reactor/runMain(installSignalHandlers:_:)``.
///
/// - Parameters:
///   - installSignalHandlers: when true (the default), SIGINT and SIGTERM stop the reactor
///     gracefully; a body still running then exits with 0.
///   - logger: the reactor's logger, where a failure of `main` is logged.
///   - main: the program, isolated to the reactor it gets.
public func react<Value>(
    installSignalHandlers: Bool = true,
    logger: Logger = Logger(label: "twist.reactor"),
    _ main: @escaping (isolated Reactor) async throws -> Value
) -> Never {
    // A fresh reactor cannot be running or have run, so runMain cannot throw here.
    let status = try! Reactor(logger: logger).runMain(installSignalHandlers: installSignalHandlers, main)
    exit(status)
}

/// What became of a ``Reactor/runMain(installSignalHandlers:_:)``'s
/// main function, as the reactor ran.
private final class MainOutcome {
    private enum State {
        /// The reactor runs (or will) and the main function has no result yet.
        case awaitingResult
        /// Shutdown began before the result arrived.
        case shuttingDown
        /// The result arrived and decided the status.
        case finished(status: Int32)
        /// `run()` returned: the status is decided, and a result arriving now is ignored.
        case returned
    }

    private var state = State.awaitingResult

    /// Notes that `run()` returned; gives the status to exit with: the result's, or 0 when none
    /// arrived.
    func reactorReturned() -> Int32 {
        defer { state = .returned }
        if case .finished(let status) = state { return status }
        return 0
    }

    /// Notes that the reactor began shutting down.
    func shutdownBegan() {
        if case .awaitingResult = state { state = .shuttingDown }
    }

    /// Records the main function's result as its status (logging a failure that is not a
    /// ``SystemExit``); returns whether the reactor still needs stopping. After `run()` returned,
    /// ignores it.
    func record<Value>(_ result: Result<Value, Failure>, logger: Logger) -> Bool {
        switch state {
        case .awaitingResult:
            state = .finished(status: Self.status(of: result, logger: logger))
            return true
        case .shuttingDown, .finished:
            state = .finished(status: Self.status(of: result, logger: logger))
            return false
        case .returned:
            return false
        }
    }

    /// 0 for a success, a ``SystemExit``'s status, or 1 for any other failure, which is logged.
    private static func status<Value>(of result: Result<Value, Failure>, logger: Logger) -> Int32 {
        switch result {
        case .success:
            return 0
        case .failure(let failure):
            if let exit = failure.check(SystemExit.self) { return exit.status }
            var metadata: Logger.Metadata = [
                "error.type": "\(String(reflecting: type(of: failure.error)))",
                "error": "\(failure.error)",
            ]
            if let fileID = failure.fileID, let line = failure.line { metadata["failure.location"] = "\(fileID):\(line)" }
            logger.error("main function encountered error", metadata: metadata)
            return 1
        }
    }
}
