import CTwistShims
public import Logging
import TwistCore

/// The event loop: one per thread, driven by its own libev loop (Twisted's reactor).
///
/// A reactor runs delayed calls (``callLater(_:_:)``), work handed over from other threads
/// (``callFromThread(_:)``), system event triggers around startup and shutdown, and Swift
/// Concurrency jobs: it is a `SerialExecutor`, and an `actor` whose executor is itself, so
/// `async` code isolated to it — through an `isolated Reactor` parameter, or an actor of yours
/// that returns ``unownedExecutor`` — runs on the reactor thread and resumes there after every
/// `await`.
///
/// **Threads.** Everything except ``callFromThread(_:)`` and job enqueueing must be called on the
/// reactor's thread: the thread inside ``run()``, or, before the reactor runs, the thread setting
/// it up. Debug builds check this.
///
/// **Lifecycle.** ``run()`` blocks until ``stop()`` has been called and the shutdown triggers have
/// run. A reactor runs once: running it again after it stopped throws ``ReactorNotRestartable``
/// (as in Twisted); make a new reactor instead.
///
/// **Time.** ``seconds()`` is the monotonic clock, not the wall clock (Twisted uses the wall
/// clock), so delayed calls do not jump when the system time is changed. Tests that need to
/// drive time use `TestClock` from TwistTesting through the ``ReactorTime`` protocol.
public actor Reactor: ReactorCore, ReactorTime, ReactorThreads {
    /// The reactor's thread-confined state. Only its inbox is touched from other threads.
    nonisolated(unsafe) let core: ReactorLoop

    /// The buffers and reserve descriptor that this reactor's stream connections and ports share
    /// (confined to the reactor thread, like `core`).
    nonisolated(unsafe) let ioResources = IOResources()

    /// Where the reactor reports errors thrown by delayed calls, triggers and thread calls.
    public nonisolated let logger: Logger

    /// The reactor's thread pool, made on first use (see `Reactor+ThreadPool`).
    nonisolated let poolSlot: ReactorPoolSlot

    /// Creates a reactor with its own libev loop; it does nothing until ``run()``.
    ///
    /// The first reactor also registers the TLS description types (`ssl:`, `tls:`) with
    /// ``EndpointParsers``, so every program that parses descriptions has them.
    ///
    /// - Parameter logger: where errors from scheduled work are reported.
    public init(logger: Logger = Logger(label: "twist.reactor")) {
        TLSEndpoints.register()
        self.logger = logger
        self.core = ReactorLoop(logger: logger)
        self.poolSlot = ReactorPoolSlot(logger: logger)
        core.executor = asUnownedSerialExecutor()
        let core = self.core
        // Twisted's order: `before startup` triggers see a reactor that is not yet running.
        _ = core.triggers.add(.during, .startup) { [unowned core] in
            if core.state == .starting { core.state = .running }
            return nil
        }
        // Twisted's `disconnectAll`: connections still open at shutdown are closed (ConnectionLost).
        _ = core.triggers.add(.during, .shutdown) { [unowned core] in
            core.closeAllHandlers()
            return nil
        }
        // The thread pool starts with the reactor and drains before the connections close.
        let poolSlot = self.poolSlot
        _ = core.triggers.add(.during, .startup) {
            poolSlot.reactorStarted()
            return nil
        }
        _ = core.triggers.add(.before, .shutdown) { [unowned self] in shutDownThreadPool() }
        core.onSignal = { [unowned self] signalNumber in handleStopSignal(signalNumber) }
    }

    /// The reactor running on the calling thread, if any.
    public nonisolated static var current: Reactor? {
        guard let marker = twist_current_reactor() else { return nil }
        return Unmanaged<Reactor>.fromOpaque(marker).takeUnretainedValue()
    }

    /// True when called on the thread inside this reactor's ``run()``.
    public nonisolated var isInReactorThread: Bool {
        twist_current_reactor() == Unmanaged.passUnretained(self).toOpaque()
    }

    /// True from the `during` phase of startup until ``run()`` returns.
    public nonisolated var isRunning: Bool {
        core.state == .running || core.state == .stopping
    }

    /// The signal (SIGINT or SIGTERM) that stopped the reactor, if one did (Twisted's exit signal).
    public nonisolated var receivedSignal: Int32? {
        core.receivedSignal
    }

    /// Runs the reactor without installing signal handlers: see ``run(installSignalHandlers:)``.
    public nonisolated func run() throws {
        try run(installSignalHandlers: false)
    }

    /// Runs the reactor on the calling thread until ``stop()`` has been called and shutdown has
    /// finished: fires the startup event, serves delayed calls, thread calls, jobs and (later) I/O,
    /// and returns after the last `after shutdown` trigger.
    ///
    /// On the process's main thread it also serves the main actor (the main dispatch queue), so
    /// main-actor code — top-level code in `main.swift` and what it awaits — runs on this thread
    /// between the loop's other work instead of waiting for `run` to return.
    ///
    /// A stopped reactor cannot run again, so when `run` returns it cancels the delayed calls still
    /// pending and drops the triggers that never ran, releasing what their closures captured
    /// (often the reactor itself, which would otherwise never be freed).
    ///
    /// - Parameter installSignalHandlers: when true, SIGINT and SIGTERM stop the reactor
    ///   gracefully (the shutdown triggers run) and are recorded in ``receivedSignal``; their
    ///   default action is restored when `run` returns. Off by default, because a process has one
    ///   set of signal handlers and may hold several reactors.
    /// - Throws: ``ReactorAlreadyRunning`` if it is running, ``ReactorNotRestartable`` if it has run.
    public nonisolated func run(installSignalHandlers: Bool) throws {
        switch core.claimStart() {
        case nil: break
        case .idle?, .starting?, .running?, .stopping?: throw ReactorAlreadyRunning()
        case .stopped?: throw ReactorNotRestartable()
        }
        precondition(twist_current_reactor() == nil, "another reactor is already running on this thread")
        twist_set_current_reactor(Unmanaged.passUnretained(self).toOpaque())
        defer { twist_set_current_reactor(nil) }

        if installSignalHandlers { core.startSignalWatchers() }
        defer { core.stopSignalWatchers() }
        // On the main thread, the main actor's jobs run on this loop while it occupies the thread.
        let mainQueue = twist_is_main_thread() != 0 ? MainQueueWatcher(loop: core.loop) : nil
        defer { mainQueue?.stop() }
        core.triggers.fire(.startup)
        core.runLoop()
        if core.crashed {
            core.crashed = false
            core.state = .idle
        } else {
            core.state = .stopped
            core.discardPendingWork()
        }
    }

    /// Ends ``run()`` after the current loop pass *without* firing the shutdown triggers (Twisted's
    /// `crash()`). Unlike after ``stop()``, the reactor may then be run again: pending delayed
    /// calls and triggers stay as they are, and the startup event fires again (each trigger still
    /// runs at most once). Meant for tests and emergencies; ``stop()`` is the normal way out.
    public nonisolated func crash() {
        requireConfined()
        guard core.state == .starting || core.state == .running || core.state == .stopping else { return }
        core.crashed = true
        core.breakLoop()
    }

    /// Runs one pass of the loop on a reactor that is not running (Twisted's `iterate`): runs what
    /// is due, waiting at most `delay` seconds for something to happen. No startup or shutdown
    /// event fires.
    ///
    /// - Precondition: the reactor is not running and `delay` is zero or positive.
    public nonisolated func iterate(delay: Double = 0) {
        Self.validateDelay(delay)
        precondition(core.state == .idle, "iterate(delay:) is for a reactor that is not running")
        precondition(twist_current_reactor() == nil, "another reactor is already running on this thread")
        twist_set_current_reactor(Unmanaged.passUnretained(self).toOpaque())
        defer { twist_set_current_reactor(nil) }
        // A no-op delayed call bounds the wait: the loop's one timer watcher is armed for it.
        let bound = core.timers.schedule(at: seconds() + delay) {}
        core.runOnePass()
        try? bound.cancel()
    }

    /// Asks the reactor to stop. Returns at once; on a later pass the shutdown triggers run
    /// (`before`, then `during` once every `before` completion has completed, then `after`) and
    /// then ``run()`` returns. From another thread, use `callFromThread { try reactor.stop() }`.
    ///
    /// - Throws: ``ReactorNotRunning`` if the reactor has not started or is already stopping.
    public nonisolated func stop() throws {
        requireConfined()
        switch core.state {
        case .starting, .running:
            core.state = .stopping
            let core = self.core
            callLater(0) {
                core.triggers.fire(.shutdown) { core.breakLoop() }
            }
        case .idle, .stopping, .stopped:
            throw ReactorNotRunning()
        }
    }

    private nonisolated func handleStopSignal(_ signalNumber: Int32) {
        logger.info("received a stop signal; stopping the reactor", metadata: ["signal": "\(signalNumber)"])
        core.receivedSignal = signalNumber
        if core.state == .starting || core.state == .running { try? stop() }
    }

    /// Stops the program when reactor-confined API (`what`) is called from another thread while
    /// the reactor runs; before ``run()`` and after it returns, any thread may call it. Checked in
    /// every build: the usual answer is a thread-local compare (about a nanosecond), and a call
    /// from the wrong thread would otherwise corrupt the loop's state silently.
    @inline(__always)
    nonisolated func requireConfined(_ what: @autoclosure () -> String = "Reactor", _ function: StaticString = #function) {
        if isInReactorThread { return }
        confinementViolated(what(), function)
    }

    @inline(never)
    private nonisolated func confinementViolated(_ what: String, _ function: StaticString) {
        let state = core.state
        guard state != .idle, state != .stopped else { return }
        // From a Swift task, the likeliest cause is a Deferred(on:) body that lost the reactor's
        // isolation: say so, since the call that traps is often far from that body.
        let inTask = withUnsafeCurrentTask { $0 != nil }
        let hint =
            inTask
            ? " (this call comes from a task running off the reactor: with Swift 6.3, a "
                + "Deferred(on:) body written with a capture list, { [self] in ... }, runs off the "
                + "reactor; write self. instead, or take the reactor as an isolated parameter: "
                + "Deferred(on: reactor) { reactor in ... })"
            : ""
        preconditionFailure(
            "\(what).\(function) must be called on the reactor's thread while it runs; "
                + "use reactor.callFromThread from other threads\(hint)"
        )
    }
}
