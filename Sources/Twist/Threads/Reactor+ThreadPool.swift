import Glibc
public import TwistCore

extension Reactor {
    /// The reactor's own thread pool (Twisted's `getThreadPool`), made on first use with at most
    /// 10 threads (see ``suggestThreadPoolSize(_:)``) and no minimum. It starts when the reactor
    /// runs (work queued before then waits), and stops at shutdown: the `before shutdown` phase
    /// waits (up to ``threadPoolShutdownTimeout`` seconds) for its running and queued work to
    /// finish, with the loop still serving, so results still reach their Deferreds and
    /// ``blockingCallFromThread(_:)`` is still answered. After that it is nil. Safe from any thread.
    public nonisolated var threadPool: ThreadPool? {
        poolSlot.pool()
    }

    /// How long shutdown waits for the reactor's pool to finish its work, in seconds; after that
    /// shutdown goes on (logging it) and the workers finish on their own.
    public nonisolated static var threadPoolShutdownTimeout: Double { 30 }

    /// Sets the most threads the reactor's pool may run (Twisted: it sets only the maximum).
    /// Safe from any thread.
    ///
    /// - Precondition: `maxThreads > 0`.
    public nonisolated func suggestThreadPoolSize(_ maxThreads: Int) {
        poolSlot.suggestSize(maxThreads)
    }

    /// Runs `body` on a thread of the reactor's pool, in submission order; an error it throws is
    /// logged. Safe from any thread.
    ///
    /// - Throws: ``ThreadPoolStopped`` once the reactor has shut its pool down.
    public nonisolated func callInThread(_ body: @escaping @Sendable () throws -> Void) throws {
        guard let pool = threadPool else { throw ThreadPoolStopped(poolName: "twist.reactor") }
        try pool.callInThread(body)
    }

    /// Runs `body` on a thread of the reactor's pool and returns a Deferred that fires **on the
    /// reactor thread** with what `body` returns, or fails with what it throws (Twisted's
    /// `deferToThread`). Fails with ``ThreadPoolStopped`` once the pool is stopped, or if the
    /// pool is stopped before the work ran.
    ///
    /// - Precondition: called on the reactor thread (or before the reactor runs).
    public nonisolated func deferToThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) -> Deferred<Value> {
        guard let pool = threadPool else { return fail(ThreadPoolStopped(poolName: "twist.reactor")) }
        return deferToThreadPool(pool, body)
    }

    /// Runs `body` on a thread of `pool` and returns a Deferred that fires on the reactor thread
    /// with its result or error (Twisted's `deferToThreadPool`). Fails with ``ThreadPoolStopped``
    /// when the pool refuses or discards the work.
    ///
    /// - Precondition: called on the reactor thread (or before the reactor runs).
    public nonisolated func deferToThreadPool<Value: Sendable>(
        _ pool: ThreadPool, _ body: @escaping @Sendable () throws -> Value
    ) -> Deferred<Value> {
        requireConfined()
        let deferred = Deferred<Value>(logger: logger)
        let confined = ReactorConfined(deferred)
        do {
            try pool.callInThreadWithCallback({ [self] (result: Result<Value, any Error>) in
                callFromThread {
                    switch result {
                    case .success(let value): try confined.value.callback(value)
                    case .failure(let error): try confined.value.errback(error)
                    }
                }
            }, body)
        } catch {
            return fail(error)
        }
        return deferred
    }

    /// Runs `body` on a thread of the reactor's pool and returns what it returns, or throws what
    /// it throws: the `async` spelling of ``deferToThread(_:)``. The caller resumes on its own
    /// executor (on the reactor, for reactor-isolated code). Safe from any context.
    ///
    /// Cancelling the awaiting task works as for the form whose body takes a
    /// ``ThreadWorkCancellation``:
    /// work not yet started never runs and the call throws `CancellationError` at once; work
    /// already running is not interrupted (`body` cannot see it), and the call throws
    /// `CancellationError` once `body` returns, its result dropped.
    ///
    /// - Throws: what `body` throws, `CancellationError` when the task was cancelled before the
    ///   result was in, or ``ThreadPoolStopped`` when the pool refuses or discards it.
    public nonisolated func runInThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await runInThread { (_: ThreadWorkCancellation) in try body() }
    }

    /// Runs `body` on a thread of the reactor's pool with a ``ThreadWorkCancellation`` it can
    /// check, and returns what it returns, or throws what it throws. Safe from any context.
    ///
    /// What cancelling the awaiting task does, and the promise:
    /// - **before a worker takes the job**: the job is dropped (`body` never runs) and the call
    ///   throws `CancellationError` at once;
    /// - **while `body` runs**: the token reports it (`isCancelled`, `checkCancellation()`), and
    ///   the call throws `CancellationError` **only once `body` has returned** (whatever it
    ///   returned or threw is dropped). The caller never resumes while its work still runs, so
    ///   cancelled work cannot pile up behind the pool's bounded threads unseen, as structured
    ///   concurrency waits for a cancelled child task. A body that never checks the token runs
    ///   to its end.
    ///
    /// - Throws: what `body` throws; `CancellationError` when the task was cancelled before the
    ///   result was in; ``ThreadPoolStopped`` when the pool refuses or discards the work.
    public nonisolated func runInThread<Value: Sendable>(
        _ body: @escaping @Sendable (ThreadWorkCancellation) throws -> Value
    ) async throws -> Value {
        guard let pool = threadPool else { throw ThreadPoolStopped(poolName: "twist.reactor") }
        let work = CancellableThreadWork<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard work.attach(continuation) else { return }
                let cancellation = work.cancellation
                do {
                    try pool.callInThreadWithCallback({ work.finish($0) }) { () throws -> Value in
                        guard work.begin() else { throw CancellationError() }
                        return try body(cancellation)
                    }
                } catch {
                    work.finish(.failure(error))
                }
            }
        } onCancel: {
            work.cancel()
        }
    }

    /// The `before shutdown` step: forget the pool, discard what a never-started pool queued, and
    /// hold shutdown back until the workers finish (bounded by ``threadPoolShutdownTimeout``).
    nonisolated func shutDownThreadPool() -> (any TriggerCompletion)? {
        guard let (pool, discarded) = poolSlot.beginShutdown() else { return nil }
        for job in discarded { job(false) }
        let completion = TriggerCompletionSource()
        let confined = ReactorConfined(completion)
        let logger = self.logger
        DetachedThread.start { [self] in
            let finished = pool.waitForWorkers(timeout: Self.threadPoolShutdownTimeout)
            if !finished {
                logger.warning(
                    "the reactor's thread pool did not finish its work in time; shutdown goes on without it",
                    metadata: ["timeout": "\(Self.threadPoolShutdownTimeout)"])
            }
            callFromThread { confined.value.complete() }
        }
        return completion
    }
}
