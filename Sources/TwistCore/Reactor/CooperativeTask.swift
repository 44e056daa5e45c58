/// One piece of work shared out by a ``Cooperator`` (Twisted's `task.CooperativeTask`): made by
/// a ``Cooperator``'s `cooperate`, it runs one step per turn until its work is finished, it fails,
/// or it is stopped.
///
/// **Pausing.** ``pause()`` and ``resume()`` nest: a task paused twice runs again after two
/// resumes. A step that returns ``CooperativeStep/wait(_:)`` pauses the task once more until the
/// Deferred fires, so a task the user paused while it waited stays paused after the Deferred
/// fires.
///
/// **Finishing.** A task ends exactly once: its work finished (``TaskDone``), ``stop()`` was called
/// (``TaskStopped``), its work threw or a Deferred it waited on failed (``TaskFailed``), or its
/// cooperator was stopped (``SchedulerStopped``). Afterwards ``pause()`` and ``stop()`` throw that
/// error, nothing calls the work again, and a Deferred it was waiting on no longer resumes it.
/// The task leaves its cooperator before its ``whenDone()`` Deferreds fire, so their callbacks may
/// stop the cooperator or add tasks to it.
///
/// Confined to the cooperator's clock thread, like the cooperator.
public final class CooperativeTask {
    /// How a task ended.
    enum Ending {
        /// The work returned ``CooperativeStep/finished``.
        case done
        /// ``stop()`` was called.
        case stopped
        /// The work threw, or a Deferred it waited on failed, with this failure.
        case failed(Failure)
        /// The cooperator was stopped.
        case schedulerStopped

        /// The error that ``pause()`` and ``stop()`` throw after this ending.
        var finishedError: any SchedulerError {
            switch self {
            case .done: TaskDone()
            case .stopped: TaskStopped()
            case .failed: TaskFailed()
            case .schedulerStopped: SchedulerStopped()
            }
        }
    }

    /// Where the task is in its life.
    private enum Phase {
        /// Running or paused: its work may still be called.
        case live
        /// Over, for good.
        case finished(Ending)
    }

    private let work: () throws -> CooperativeStep
    private let cooperator: Cooperator
    private var phase = Phase.live
    /// How many pauses (the user's, plus one while a step's Deferred is pending) are not yet undone.
    /// Kept after the task finishes, so that a resume matching an earlier pause does not throw.
    private var pauseCount = 0
    /// The Deferreds ``whenDone()`` handed out while the task was live.
    private var waiters: [Deferred<Void>] = []

    init(work: @escaping () throws -> CooperativeStep, cooperator: Cooperator) {
        self.work = work
        self.cooperator = cooperator
    }

    /// True while at least one ``pause()`` (or a pending ``CooperativeStep/wait(_:)``) is not undone.
    public var isPaused: Bool { pauseCount > 0 }

    /// True once the task has ended, in any of the four ways.
    public var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    /// A new Deferred for the task's end (Twisted's `whenDone`): it succeeds when the work
    /// finishes, and fails with ``TaskStopped``, ``SchedulerStopped``, or the failure of the work.
    /// Each call gives a Deferred of its own; after the end, one that has already fired.
    public func whenDone() -> Deferred<Void> {
        let deferred = Deferred<Void>()
        switch phase {
        case .live: waiters.append(deferred)
        case .finished(let ending): Self.fire(deferred, for: ending)
        }
        return deferred
    }

    /// Takes the task off its cooperator's turns until a matching ``resume()``. Pauses nest.
    ///
    /// - Throws: ``TaskDone``, ``TaskStopped``, ``TaskFailed`` or ``SchedulerStopped`` when the task
    ///   has ended.
    public func pause() throws {
        try requireLive()
        pauseCount += 1
        if pauseCount == 1 { cooperator.remove(self) }
    }

    /// Undoes one pause; when none is left and the task has not ended, it takes turns again.
    /// Resuming a task that ended while paused only undoes the pause.
    ///
    /// - Throws: ``NotPaused`` when there is no pause to undo.
    public func resume() throws {
        guard pauseCount > 0 else { throw NotPaused() }
        pauseCount -= 1
        if pauseCount == 0, case .live = phase { cooperator.add(self) }
    }

    /// Ends the task: its work is not called again, and its ``whenDone()`` Deferreds fail with
    /// ``TaskStopped``.
    ///
    /// - Throws: ``TaskDone``, ``TaskStopped``, ``TaskFailed`` or ``SchedulerStopped`` when the task
    ///   has ended already.
    public func stop() throws {
        try requireLive()
        finish(.stopped)
    }

    /// Runs one step of the work (a cooperator's turn).
    func runStep() {
        let step: CooperativeStep
        do {
            step = try work()
        } catch {
            finish(.failed(Failure(caught: error)))
            return
        }
        switch step {
        case .more:
            break
        case .finished:
            finish(.done)
        case .wait(let deferred):
            pauseCount += 1
            if pauseCount == 1 { cooperator.remove(self) }
            _ = deferred.addCallbacks({ [self] _ in
                // The pause taken above; a user who resumed too often has undone it already.
                try? resume()
            }, { [self] failure in
                finish(.failed(failure))
            })
        }
    }

    /// Ends the task with `ending` unless it has ended already: leaves the cooperator, then fires
    /// the ``whenDone()`` Deferreds.
    func finish(_ ending: Ending) {
        guard case .live = phase else { return }
        phase = .finished(ending)
        if pauseCount == 0 { cooperator.remove(self) }
        let waiters = self.waiters
        self.waiters = []
        for deferred in waiters { Self.fire(deferred, for: ending) }
    }

    private func requireLive() throws {
        if case .finished(let ending) = phase { throw ending.finishedError }
    }

    private static func fire(_ deferred: Deferred<Void>, for ending: Ending) {
        switch ending {
        case .done: try? deferred.callback()
        case .stopped: try? deferred.errback(TaskStopped())
        case .failed(let failure): try? deferred.errback(failure)
        case .schedulerStopped: try? deferred.errback(SchedulerStopped())
        }
    }
}
