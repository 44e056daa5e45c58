import CLibev
import Glibc
import Logging
import Synchronization
import TwistCore

/// Where a reactor is in its single life.
enum ReactorState: UInt8 {
    /// Created, never run.
    case idle
    /// `run()` has begun; the `before startup` triggers are running or pending.
    case starting
    /// Startup's `during` phase has run.
    case running
    /// `stop()` was called; shutdown triggers are running or pending.
    case stopping
    /// `run()` has returned.
    case stopped
}

/// Everything of a ``Reactor`` that lives on its thread: the libev loop and its watchers, the
/// delayed calls, the system event triggers and the executor's local run queue.
///
/// libev reaches this object through the loop's user data and each watcher's `data` pointer
/// (unretained: the reactor owns this object, and this object stops every watcher before it goes).
/// Not thread-safe; only ``ThreadInbox`` and ``LoopWaker`` are used from other threads.
final class ReactorLoop {
    /// The longest single wait for a timer; later deadlines are re-armed when it expires.
    private static let longestTimerWait = 86_400.0
    /// How many rounds of callbacks and jobs run before the loop polls for I/O again.
    private static let maximumRoundsPerPass = 64

    let loop: OpaquePointer
    let logger: Logger
    let timers = TimerQueue(now: MonotonicClock.now)
    let triggers: SystemEventRegistry
    let inbox: ThreadInbox
    /// Where the reactor is in its life. Written on the reactor thread (or before it runs), but
    /// read from any thread (`Reactor.isRunning`, `Deferred(on:)`'s check), so it is atomic.
    var state: ReactorState {
        get { ReactorState(rawValue: stateStorage.load(ordering: .acquiring))! }
        set { stateStorage.store(newValue.rawValue, ordering: .releasing) }
    }
    private let stateStorage = Atomic<UInt8>(ReactorState.idle.rawValue)

    /// Moves an idle reactor to `starting` in one atomic step, so two threads calling `run()` at
    /// once cannot both start it. Returns nil when it did, or the state that refused it.
    func claimStart() -> ReactorState? {
        let (started, found) = stateStorage.compareExchange(
            expected: ReactorState.idle.rawValue, desired: ReactorState.starting.rawValue,
            ordering: .acquiringAndReleasing)
        return started ? nil : ReactorState(rawValue: found)!
    }
    /// Set by `crash()`: the loop ended without shutdown, and the reactor may run again.
    var crashed = false
    /// The last SIGINT or SIGTERM that stopped the reactor.
    var receivedSignal: Int32?
    /// The reactor as an executor, for running jobs; set once by the reactor's initialiser.
    var executor: UnownedSerialExecutor?
    /// Jobs enqueued from the reactor thread itself since the loop was created (for tests).
    @exclusivity(unchecked) private(set) var localJobsEnqueued = 0
    /// Jobs that arrived from other threads through the inbox since the loop was created (for tests).
    private(set) var threadJobsRun = 0
    /// Called for SIGINT and SIGTERM when the reactor watches them; set by the reactor.
    var onSignal: ((Int32) -> Void)?

    /// Connections, ports and connection attempts whose watchers may fire: this keeps them alive.
    private(set) var handlers: [ObjectIdentifier: IOHandler] = [:]
    private let wakeWatcher = UnsafeMutablePointer<ev_async>.allocate(capacity: 1)
    private let timerWatcher = UnsafeMutablePointer<ev_timer>.allocate(capacity: 1)
    private let idleWatcher = UnsafeMutablePointer<ev_idle>.allocate(capacity: 1)
    /// The signal handlers (``Reactor/addSignalHandler(_:_:)`` and the stop signals).
    let signals: SignalWatchers
    /// The child processes not yet reaped (see `LiveChildren`).
    let children = LiveChildren()
    /// The ids of the SIGINT and SIGTERM handlers `startSignalWatchers()` added.
    private var stopSignalHandlers: [(signal: Int32, id: UInt64)] = []
    /// The due time the timer watcher is armed for, or nil when it is stopped.
    private var armedTime: Double?
    // The job queues skip the dynamic exclusivity checks (a fifth of a resumed `await`'s cost):
    // they are touched only on the reactor thread, by `enqueueLocal` and `runLocalJobs`, and never
    // borrowed across a call that could reach the other (a job enqueues into `localJobs` while
    // `runLocalJobs` iterates its own copy of `runningJobs`).
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    @exclusivity(unchecked) private var runningJobs: [UnownedJob] = []
    private var threadBatch: [ThreadWork] = []

    init(logger: Logger) {
        ProcessSetup.ensure()
        let flags = UInt32(EVBACKEND_EPOLL | EVFLAG_NOENV | EVFLAG_NOSIGMASK)
        guard let loop = ev_loop_new(flags) ?? ev_loop_new(UInt32(EVFLAG_NOENV | EVFLAG_NOSIGMASK)) else {
            fatalError("libev could not create an event loop (ev_loop_new failed)")
        }
        self.loop = loop
        self.logger = logger
        self.triggers = SystemEventRegistry(logger: logger)
        self.signals = SignalWatchers(loop: loop)
        self.inbox = ThreadInbox(waker: LoopWaker(loop: loop, watcher: wakeWatcher))

        let me = Unmanaged.passUnretained(self).toOpaque()
        ev_set_userdata(loop, me)
        ev_set_invoke_pending_cb(loop) { loop in
            ReactorLoop.owner(of: loop).invokePending()
        }

        clibev_async_init(wakeWatcher) { _, watcher, _ in
            ReactorLoop.owner(ofWatcher: watcher).runThreadWork()
        }
        clibev_set_data(wakeWatcher, me)
        // The wake-up watcher stays referenced: run() returns only through stop(), as in Twisted.
        ev_async_start(loop, wakeWatcher)

        clibev_timer_init(timerWatcher, { _, watcher, _ in
            ReactorLoop.owner(ofWatcher: watcher).runDueCalls()
        }, 0, 0)
        clibev_set_data(timerWatcher, me)

        // An active idle watcher makes the next poll return at once: used while jobs are queued.
        clibev_idle_init(idleWatcher) { _, _, _ in }
        clibev_set_data(idleWatcher, me)
    }

    deinit {
        stopSignalWatchers()
        signals.stopAll()
        ev_async_stop(loop, wakeWatcher)
        ev_timer_stop(loop, timerWatcher)
        ev_idle_stop(loop, idleWatcher)
        ev_loop_destroy(loop)
        wakeWatcher.deallocate()
        timerWatcher.deallocate()
        idleWatcher.deallocate()
    }

    private static func owner(of loop: OpaquePointer?) -> ReactorLoop {
        Unmanaged<ReactorLoop>.fromOpaque(ev_userdata(loop)!).takeUnretainedValue()
    }

    private static func owner(ofWatcher watcher: UnsafeMutableRawPointer?) -> ReactorLoop {
        Unmanaged<ReactorLoop>.fromOpaque(clibev_data(watcher)!).takeUnretainedValue()
    }

    // MARK: Running

    /// Runs the libev loop until `breakLoop()`.
    /// A `crash()` during startup (before the loop began) ends it at once: `ev_run` would reset
    /// the break request on entry.
    func runLoop() {
        guard !crashed else { return }
        ev_run(loop, 0)
    }

    /// Runs one pass of the loop: waits (until the earliest delayed call at the latest) for
    /// something to happen, and runs it.
    func runOnePass() {
        ev_run(loop, Int32(EVRUN_ONCE))
    }

    /// How many passes the loop has made (libev's `ev_iteration`); tests use it to show a loop
    /// is not spinning.
    var passCount: UInt32 { ev_iteration(loop) }

    /// Ends `runLoop()` after the current pass.
    func breakLoop() {
        ev_break(loop, Int32(EVBREAK_ALL))
    }

    /// libev's invoke-pending hook: runs the pending watcher callbacks and the local jobs until both
    /// are drained (bounded, so I/O is polled again), then arms the timer for the next due call.
    private func invokePending() {
        var rounds = 0
        repeat {
            ev_invoke_pending(loop)
            runLocalJobs()
            rounds += 1
        } while (ev_pending_count(loop) > 0 || !localJobs.isEmpty) && rounds < Self.maximumRoundsPerPass
        if localJobs.isEmpty {
            if clibev_is_active(idleWatcher) != 0 { ev_idle_stop(loop, idleWatcher) }
        } else if clibev_is_active(idleWatcher) == 0 {
            ev_idle_start(loop, idleWatcher)
        }
        armTimer()
    }

    // MARK: I/O handlers

    /// Keeps `handler` alive while its watchers may fire.
    func register(_ handler: IOHandler) {
        handlers[ObjectIdentifier(handler)] = handler
    }

    /// Lets `handler` go; its watchers must be stopped.
    func unregister(_ handler: IOHandler) {
        handlers[ObjectIdentifier(handler)] = nil
    }

    /// Closes every connection, port and attempt (the `during shutdown` step, Twisted's `disconnectAll`).
    func closeAllHandlers() {
        for handler in Array(handlers.values) { handler.closeForShutdown() }
    }

    /// Drops the work a stopped reactor can never run: pending delayed calls become cancelled and
    /// the triggers that never ran are removed, so the closures they hold are released.
    func discardPendingWork() {
        timers.cancelAll()
        triggers.removeAll()
    }

    // MARK: Delayed calls

    /// Runs every call due now that was scheduled before this pass began; calls scheduled by them
    /// run on a later pass, even with a zero delay (as in Twisted's reactor).
    private func runDueCalls() {
        armedTime = nil  // libev stopped the one-shot timer
        let now = MonotonicClock.now()
        let limit = timers.nextSequence
        while let call = timers.popDue(notAfter: now, scheduledBefore: limit) {
            let body = call.takeBodyForRunning()
            do {
                try body()
            } catch {
                logger.error("error in a delayed call; the reactor carries on", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Points the timer watcher at the earliest pending call, if that changed.
    private func armTimer() {
        let next = timers.earliestTime
        guard next != armedTime else { return }
        if clibev_is_active(timerWatcher) != 0 { ev_timer_stop(loop, timerWatcher) }
        armedTime = next
        guard let next else { return }
        // Read our clock before libev updates its own, so libev's deadline is never before ours.
        let wait = next - MonotonicClock.now()
        ev_now_update(loop)
        clibev_timer_set(timerWatcher, min(max(wait, 0), Self.longestTimerWait), 0)
        ev_timer_start(loop, timerWatcher)
    }

    // MARK: Jobs and thread hand-off

    /// Queues a job enqueued on the reactor thread itself; no lock and no wake-up needed.
    func enqueueLocal(_ job: UnownedJob) {
        localJobsEnqueued += 1
        localJobs.append(job)
    }

    private func runLocalJobs() {
        guard !localJobs.isEmpty, let executor else { return }
        swap(&localJobs, &runningJobs)
        for job in runningJobs { job.runSynchronously(on: executor) }
        runningJobs.removeAll(keepingCapacity: true)
    }

    /// Runs everything other threads posted before this call; later posts wait for the next pass.
    private func runThreadWork() {
        inbox.takeAll(into: &threadBatch)
        for work in threadBatch {
            switch work {
            case .call(let body):
                do {
                    try body()
                } catch {
                    logger.error("error in a callFromThread call; the reactor carries on", metadata: ["error": "\(error)"])
                }
            case .job(let job):
                threadJobsRun += 1
                if let executor { job.runSynchronously(on: executor) }
            }
        }
        threadBatch.removeAll(keepingCapacity: true)
    }

    // MARK: Signals

    /// Watches SIGINT and SIGTERM; each calls `onSignal`. A stop signal another reactor of the
    /// process watches already is left to it (logged).
    func startSignalWatchers() {
        guard stopSignalHandlers.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            do {
                let id = try signals.add(signalNumber) { [unowned self] in onSignal?($0) }
                stopSignalHandlers.append((signalNumber, id))
            } catch {
                logger.error("cannot watch a stop signal", metadata: ["signal": "\(signalNumber)", "error": "\(error)"])
            }
        }
    }

    /// Stops watching the stop signals; once a signal has no handler left, libev restores its
    /// default action.
    func stopSignalWatchers() {
        for handler in stopSignalHandlers { signals.remove(handler.signal, id: handler.id) }
        stopSignalHandlers.removeAll()
    }
}
