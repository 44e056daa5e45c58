import Logging
import TwistCore

/// The reactor's own thread pool, made on first use (Twisted's `getThreadPool`): min 0, max 10
/// unless `suggestThreadPoolSize` said otherwise, named "twist.reactor". Started when the reactor
/// runs (work queued before waits, and never runs if the reactor never runs), stopped at shutdown,
/// after which the reactor forgets it (a later call makes no new one: work is refused).
///
/// Thread-safe: `runInThread` may reach it from any thread.
final class ReactorPoolSlot: Sendable {
    private struct State {
        var pool: ThreadPool?
        var maxThreads = 10
        var reactorRunning = false
        var shutDown = false
    }

    private let state = PosixMutex(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The pool, made (and started, if the reactor runs) on first use; nil once the reactor has
    /// shut it down.
    func pool() -> ThreadPool? {
        state.withLock { state in
            if let pool = state.pool { return pool }
            if state.shutDown { return nil }
            let pool = ThreadPool(minThreads: 0, maxThreads: state.maxThreads, name: "twist.reactor", logger: logger)
            if state.reactorRunning { try? pool.start() }
            state.pool = pool
            return pool
        }
    }

    /// Sets the pool's maximum (Twisted's `suggestThreadPoolSize` sets only that).
    func suggestSize(_ maxThreads: Int) {
        precondition(maxThreads > 0, "a thread pool needs at least one thread")
        let pool = state.withLock { state -> ThreadPool? in
            state.maxThreads = maxThreads
            return state.pool
        }
        guard let pool else { return }
        pool.adjustPoolSize(minThreads: min(pool.minThreads, maxThreads), maxThreads: maxThreads)
    }

    /// The reactor is running: start the pool if it exists.
    func reactorStarted() {
        let pool = state.withLock { state -> ThreadPool? in
            state.reactorRunning = true
            return state.pool
        }
        try? pool?.start()
    }

    /// The reactor is shutting down: forget the pool and begin stopping it. Returns the pool (to
    /// wait for) and the jobs it discarded, if there was one.
    func beginShutdown() -> (pool: ThreadPool, discarded: [ThreadPool.Job])? {
        let pool = state.withLock { state -> ThreadPool? in
            state.shutDown = true
            state.reactorRunning = false
            defer { state.pool = nil }
            return state.pool
        }
        guard let pool else { return nil }
        return (pool, pool.beginStop())
    }
}
