public import TwistCore

/// A stand-in for a reactor's thread capability (``ReactorThreads``) that runs nothing on its own:
/// "pool" work and `callFromThread` bodies are queued, and ``runPending()`` runs them on the
/// calling thread, in order, so a test decides when the blocking work happens and when its result
/// arrives. Deferreds from ``deferToThread(_:)`` fire inside ``runPending()``.
///
/// Despite the `Sendable` conformance the protocol asks for, use it from one thread (the test's).
public final class FakeThreads: ReactorThreads, @unchecked Sendable {
    private var pending: [() -> Void] = []
    private var stopped = false

    /// The largest pool size suggested so far (10 until a suggestion, as a reactor's pool).
    public private(set) var suggestedPoolSize = 10

    /// Makes a fake with nothing queued.
    public init() {}

    /// How many pool jobs and thread calls wait for ``runPending()``.
    public var pendingCount: Int { pending.count }

    /// Queues `body` as a call into the reactor (run by ``runPending()``).
    public func callFromThread(_ body: @escaping @Sendable () throws -> Void) {
        pending.append { try? body() }
    }

    /// Queues `body` as pool work (run by ``runPending()``).
    ///
    /// - Throws: ``FakeThreadsStopped`` after ``stop()``.
    public func callInThread(_ body: @escaping @Sendable () throws -> Void) throws {
        guard !stopped else { throw FakeThreadsStopped() }
        pending.append { try? body() }
    }

    /// Queues `body` as pool work; its result fires the returned Deferred inside ``runPending()``.
    /// After ``stop()`` the Deferred has already failed with ``FakeThreadsStopped``.
    public func deferToThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) -> Deferred<Value> {
        guard !stopped else { return fail(FakeThreadsStopped()) }
        let deferred = Deferred<Value>()
        pending.append {
            do {
                try deferred.callback(try body())
            } catch {
                try? deferred.errback(error)
            }
        }
        return deferred
    }

    /// Runs `body` at once on the calling task (the fake has no threads).
    public func runInThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        guard !stopped else { throw FakeThreadsStopped() }
        return try body()
    }

    /// Runs `body` at once on the calling task with a token that reports the task's cancellation;
    /// a task already cancelled throws `CancellationError` without running it, as a reactor drops
    /// work cancelled before it started.
    public func runInThread<Value: Sendable>(
        _ body: @escaping @Sendable (ThreadWorkCancellation) throws -> Value
    ) async throws -> Value {
        guard !stopped else { throw FakeThreadsStopped() }
        try Task.checkCancellation()
        return try body(ThreadWorkCancellation { Task.isCancelled })
    }

    /// Records the suggestion in ``suggestedPoolSize``.
    public func suggestThreadPoolSize(_ maxThreads: Int) {
        suggestedPoolSize = maxThreads
    }

    /// Runs everything queued, in order, including what those runs queue; returns how many ran.
    @discardableResult
    public func runPending() -> Int {
        var ran = 0
        while !pending.isEmpty {
            let next = pending.removeFirst()
            next()
            ran += 1
        }
        return ran
    }

    /// Refuses pool work from now on, as a stopped pool does.
    public func stop() {
        stopped = true
    }
}

/// Work was given to a ``FakeThreads`` after ``FakeThreads/stop()``.
public struct FakeThreadsStopped: Error, Equatable {
    /// The error; it carries nothing.
    public init() {}
}
