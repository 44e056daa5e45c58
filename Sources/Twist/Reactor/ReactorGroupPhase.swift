/// Where a ``ReactorGroup`` is in its single life: its one state, changed under the group's lock.
/// `waiters` are told when the group has stopped.
enum ReactorGroupPhase {
    /// Made, never started: its reactors are idle, and may be set up from the creating thread.
    case idle(waiters: [@Sendable () -> Void])
    /// Its reactors run (or are about to); `running` of them have not returned from `run()` yet.
    case running(running: Int, waiters: [@Sendable () -> Void])
    /// Every reactor has returned from `run()` (or the group was stopped before it started).
    case stopped

    /// True once every reactor thread has returned.
    var isStopped: Bool {
        if case .stopped = self { return true }
        return false
    }

    /// True before the group has started.
    var isIdle: Bool {
        if case .idle = self { return true }
        return false
    }

    /// Adds `waiter`; returns false, adding nothing, when the group has stopped already.
    mutating func addWaiter(_ waiter: @escaping @Sendable () -> Void) -> Bool {
        switch self {
        case .stopped:
            return false
        case .idle(var waiters):
            waiters.append(waiter)
            self = .idle(waiters: waiters)
        case .running(let running, var waiters):
            waiters.append(waiter)
            self = .running(running: running, waiters: waiters)
        }
        return true
    }

    /// Moves an idle group to `running` with `count` members; throws for any other phase.
    mutating func start(count: Int) throws {
        switch self {
        case .idle(let waiters): self = .running(running: count, waiters: waiters)
        case .running: throw ReactorAlreadyRunning()
        case .stopped: throw ReactorNotRestartable()
        }
    }

    /// Counts one member's `run()` returning; returns the waiters to tell when it was the last.
    mutating func memberReturned() -> [@Sendable () -> Void] {
        guard case .running(let running, let waiters) = self else { return [] }
        if running > 1 {
            self = .running(running: running - 1, waiters: waiters)
            return []
        }
        self = .stopped
        return waiters
    }

    /// Stops a group that never started; returns its waiters (nil when it had started).
    mutating func stopBeforeStarting() -> [@Sendable () -> Void]? {
        guard case .idle(let waiters) = self else { return nil }
        self = .stopped
        return waiters
    }
}
