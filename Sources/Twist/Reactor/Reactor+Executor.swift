import TwistCore

/// The reactor is the executor of its own isolation domain: jobs run on the reactor thread, in
/// the order they were enqueued. A job enqueued on the reactor thread goes to a local queue (no
/// lock, no wake-up); one from another thread goes through the thread inbox and wakes the loop.
/// Jobs enqueued after the reactor stopped never run.
///
/// The reactor is also a `TaskExecutor`. The Swift runtime resumes a suspended task (after
/// `Task.yield`, or a continuation resumed on the reactor thread) on its *task* executor — the
/// global pool when it has none — and the task then hops back to the reactor through the thread
/// inbox: a wake-up per resumption (measured: every one of 30 resumptions of reactor-isolated code
/// arrived from a pool thread). A task started with `Task(executorPreference: reactor)` is resumed
/// on the reactor directly instead (measured: 0 arrivals from other threads, ~3 local enqueues
/// per resumption).
extension Reactor: SerialExecutor, TaskExecutor {
    /// Queues `job` to run on the reactor thread.
    public nonisolated func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isInReactorThread {
            core.enqueueLocal(job)
        } else {
            core.inbox.post(.job(job))
        }
    }

    /// The reactor is its own executor, so `isolated Reactor` code runs on the reactor thread.
    /// An actor of yours can share the reactor's isolation by returning this from its own
    /// `unownedExecutor`; calls between such actors then need no hop at all.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        asUnownedSerialExecutor()
    }

    /// Traps unless called on the reactor thread (what `assumeIsolated` relies on).
    public nonisolated func checkIsolated() {
        precondition(isInReactorThread, "expected to be on the reactor's thread")
    }

    /// Whether the caller runs on the reactor thread.
    public nonisolated func isIsolatingCurrentContext() -> Bool? {
        isInReactorThread
    }
}
