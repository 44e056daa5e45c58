/// Shares a clock's thread between long-running pieces of work, a little at a time (Twisted's
/// `task.Cooperator`).
///
/// Give it work with `cooperate` (a ``CooperativeTask`` you can pause, resume and stop) or
/// `coiterate` (just a Deferred for the end). Each piece of work is a closure that does
/// one small step per call and returns a ``CooperativeStep``, or an iterator whose every `next()`
/// is one step.
///
/// **Ticks.** A tick runs one step of each task in turn, round-robin, and goes on round after round
/// until the *termination predicate* says the tick has had its share (by default after 10 ms of
/// wall-clock time, measured with the standard library's `ContinuousClock`); at least one step runs
/// per tick. The next tick is then scheduled `tickDelay` seconds later on the clock, so the
/// reactor serves I/O and timers between ticks. While there are no tasks to run, no tick is
/// scheduled. Because the ticks are scheduled on an ``ReactorTime``, a test drives a cooperator
/// with a `TestClock`, and makes ticks deterministic with ``steps(_:)`` as the predicate.
///
/// **Lifecycle.** A cooperator made with `started: false` holds its tasks until ``start()``.
/// ``stop()`` ends every task that is taking turns with ``SchedulerStopped``; tasks given to it
/// afterwards (or resumed after a pause) end the same way at once, until ``start()`` is called again.
///
/// Confined to the clock's thread, like everything scheduled on it. While a tick is scheduled, the
/// clock's pending call keeps the cooperator and its tasks alive.
public final class Cooperator {
    /// Whether ticks may run.
    private enum Phase {
        /// Made with `started: false` and not started yet: tasks wait.
        case notStarted
        /// Ticks run while there are tasks.
        case running
        /// ``stop()`` was called: new tasks end at once with ``SchedulerStopped``.
        case stopped
    }

    private let clock: any ReactorTime
    private let tickDelay: Double
    private let makeTerminationPredicate: () -> () -> Bool
    private var phase: Phase
    /// The tasks taking turns (neither paused nor finished), in the order they joined.
    private var tasks: [CooperativeTask] = []
    /// The index in ``tasks`` of the task whose turn is next.
    private var nextTurn = 0
    /// The scheduled tick, if any.
    private var pendingTick: DelayedCall?

    /// A cooperator whose ticks are scheduled on `clock`.
    ///
    /// - Parameters:
    ///   - clock: where ticks are scheduled (a reactor, or a `TestClock` in tests).
    ///   - started: when false, tasks wait until ``start()`` (Twisted's `started=False`).
    ///   - tickDelay: seconds from the end of one tick to the next; Twisted's 1e-8 by default, a
    ///     delay that lets the reactor run a pass (I/O, other timers) between ticks.
    ///   - terminationPredicate: called at the start of each tick, returns the predicate asked
    ///     after each step whether the tick should end (Twisted's `terminationPredicateFactory`);
    ///     see ``timeSlice(_:)`` and ``steps(_:)``.
    /// - Precondition: `tickDelay` is zero or positive.
    public init(
        clock: any ReactorTime,
        started: Bool = true,
        tickDelay: Double = 1e-8,
        terminationPredicate: @escaping () -> () -> Bool = Cooperator.timeSlice(.milliseconds(10))
    ) {
        precondition(tickDelay >= 0, "Cooperator needs a non-negative tickDelay, got \(tickDelay)")
        self.clock = clock
        self.tickDelay = tickDelay
        self.makeTerminationPredicate = terminationPredicate
        self.phase = started ? .running : .notStarted
    }

    /// A termination predicate that ends a tick once `duration` of wall-clock time has passed
    /// since the tick began (the default, with 10 ms).
    public static func timeSlice(_ duration: Duration) -> () -> () -> Bool {
        {
            let deadline = ContinuousClock.now + duration
            return { ContinuousClock.now >= deadline }
        }
    }

    /// A termination predicate that ends a tick after `count` steps: deterministic, for tests.
    ///
    /// - Precondition: `count` is at least 1.
    public static func steps(_ count: Int) -> () -> () -> Bool {
        precondition(count >= 1, "Cooperator.steps needs at least one step per tick, got \(count)")
        return {
            var taken = 0
            return {
                taken += 1
                return taken >= count
            }
        }
    }

    /// True when started and not stopped (Twisted's `running`).
    public var isRunning: Bool {
        if case .running = phase { return true }
        return false
    }

    /// True while a tick is scheduled on the clock.
    public var hasPendingTick: Bool { pendingTick != nil }

    /// Adds `work` as a task: it is called once per turn until it returns
    /// ``CooperativeStep/finished``, throws, or the task is stopped.
    ///
    /// - Returns: the task, to pause, resume, stop, or wait on with ``CooperativeTask/whenDone()``.
    ///   On a stopped cooperator it has already ended with ``SchedulerStopped``.
    @discardableResult
    public func cooperate(_ work: @escaping () throws -> CooperativeStep) -> CooperativeTask {
        let task = CooperativeTask(work: work, cooperator: self)
        add(task)
        return task
    }

    /// Adds a task whose every `next()` of `iterator` is one step, its element dropped; `nil` ends
    /// the task. (Each element is one unit of work done; to wait on a Deferred, use an iterator of
    /// ``CooperativeStep``s or the closure form.)
    @discardableResult
    public func cooperate<Steps: IteratorProtocol>(_ iterator: Steps) -> CooperativeTask {
        var iterator = iterator
        return cooperate { iterator.next() == nil ? .finished : .more }
    }

    /// Adds a task whose steps are the elements of `iterator`; `nil` ends the task as
    /// ``CooperativeStep/finished`` does.
    @discardableResult
    public func cooperate<Steps: IteratorProtocol>(_ iterator: Steps) -> CooperativeTask
    where Steps.Element == CooperativeStep {
        var iterator = iterator
        return cooperate { iterator.next() ?? .finished }
    }

    /// Runs `work` as a task and gives only its end (Twisted's `coiterate`): the Deferred succeeds
    /// when the work finishes, and fails with the work's failure or with ``SchedulerStopped``.
    @discardableResult
    public func coiterate(_ work: @escaping () throws -> CooperativeStep) -> Deferred<Void> {
        cooperate(work).whenDone()
    }

    /// `coiterate` over an iterator whose every `next()` is one step.
    @discardableResult
    public func coiterate<Steps: IteratorProtocol>(_ iterator: Steps) -> Deferred<Void> {
        cooperate(iterator).whenDone()
    }

    /// `coiterate` over an iterator of steps.
    @discardableResult
    public func coiterate<Steps: IteratorProtocol>(_ iterator: Steps) -> Deferred<Void>
    where Steps.Element == CooperativeStep {
        cooperate(iterator).whenDone()
    }

    /// Lets ticks run (again): the tasks held since the cooperator was made with `started: false`,
    /// or stopped, take turns from the next tick.
    public func start() {
        phase = .running
        scheduleTick()
    }

    /// Ends every task now taking turns with ``SchedulerStopped`` and cancels the scheduled tick;
    /// tasks given to it later end at once the same way, until ``start()``. A task paused now is
    /// not ended until it is resumed (as in Twisted). Safe to call from a task's work or from a
    /// ``CooperativeTask/whenDone()`` callback.
    public func stop() {
        phase = .stopped
        let ending = tasks
        tasks = []
        nextTurn = 0
        cancelTick()
        for task in ending { task.finish(.schedulerStopped) }
    }

    /// Lets `task` take turns, or ends it at once when the cooperator is stopped.
    func add(_ task: CooperativeTask) {
        if case .stopped = phase {
            task.finish(.schedulerStopped)
            return
        }
        tasks.append(task)
        scheduleTick()
    }

    /// Takes `task` out of the turns (it paused or ended); when none are left, the tick is cancelled.
    func remove(_ task: CooperativeTask) {
        if let index = tasks.firstIndex(where: { $0 === task }) {
            tasks.remove(at: index)
            if index < nextTurn { nextTurn -= 1 }
        }
        if tasks.isEmpty { cancelTick() }
    }

    private func scheduleTick() {
        guard case .running = phase, pendingTick == nil, !tasks.isEmpty else { return }
        pendingTick = clock.callLater(tickDelay) { [self] in runTick() }
    }

    private func cancelTick() {
        guard let pendingTick else { return }
        self.pendingTick = nil
        try? pendingTick.cancel()
    }

    /// One tick: a step of each task in turn until the predicate ends it or no task is left.
    private func runTick() {
        pendingTick = nil
        let tickIsOver = makeTerminationPredicate()
        while !tasks.isEmpty {
            if nextTurn >= tasks.count { nextTurn = 0 }
            let task = tasks[nextTurn]
            nextTurn += 1
            task.runStep()
            if tickIsOver() { break }
        }
        scheduleTick()
    }
}
