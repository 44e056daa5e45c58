import Glibc
public import TwistCore

extension Reactor {
    /// From a thread that is not the reactor's (a pool worker, say): runs `body` on the reactor
    /// thread and blocks until it returns, then returns its value or throws its error (Twisted's
    /// `blockingCallFromThread`).
    ///
    /// Unlike Twisted it refuses to deadlock: called on the reactor thread, or once the reactor
    /// has stopped, it throws ``BlockingCallRefused``; and if the reactor stops before running
    /// `body`, the wait ends with that error too.
    public nonisolated func blockingCallFromThread<Value: Sendable>(
        _ body: @escaping @Sendable () throws -> Value
    ) throws -> Value {
        try blockingCallFromThread { () throws -> Deferred<Value> in
            do {
                return succeed(try body())
            } catch {
                return fail(error)
            }
        }
    }

    /// ``blockingCallFromThread(_:)`` for a body that returns a Deferred (made on the reactor
    /// thread): waits until that Deferred fires, and returns its value or throws its failure's
    /// error.
    public nonisolated func blockingCallFromThread<Value: Sendable>(
        _ body: @escaping @Sendable () throws -> Deferred<Value>
    ) throws -> Value {
        if isInReactorThread { throw BlockingCallRefused("called on the reactor's own thread, it would deadlock") }
        if core.state == .stopped { throw BlockingCallRefused("the reactor has stopped") }
        let waiter = BlockingCallWaiter<Value>()
        callFromThread {
            let deferred: Deferred<Value>
            do {
                deferred = try body()
            } catch {
                waiter.finish(.failure(error))
                return
            }
            _ = deferred.addBoth { (result: Result<Value, Failure>) -> Void in
                waiter.finish(result.mapError { $0.error })
            }
        }
        return try waiter.wait { [core] in core.state == .stopped }.get()
    }
}

/// Where a ``Reactor/blockingCallFromThread(_:)`` caller waits for the reactor's answer.
final class BlockingCallWaiter<Value: Sendable>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let answered = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var result: Result<Value, any Error>?

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(answered, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(answered)
        mutex.deallocate()
        answered.deallocate()
    }

    /// Hands over the answer (the first one counts) and wakes the waiter.
    func finish(_ answer: Result<Value, any Error>) {
        pthread_mutex_lock(mutex)
        if result == nil { result = answer }
        pthread_cond_signal(answered)
        pthread_mutex_unlock(mutex)
    }

    /// Waits for the answer, looking every 50 ms at `abandoned` (the reactor stopped without
    /// answering), which ends the wait with ``BlockingCallRefused``.
    func wait(abandoned: () -> Bool) -> Result<Value, any Error> {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while result == nil {
            var deadline = timespec()
            clock_gettime(CLOCK_REALTIME, &deadline)
            deadline.tv_nsec += 50_000_000
            if deadline.tv_nsec >= 1_000_000_000 {
                deadline.tv_sec += 1
                deadline.tv_nsec -= 1_000_000_000
            }
            if pthread_cond_timedwait(answered, mutex, &deadline) == ETIMEDOUT, result == nil, abandoned() {
                return .failure(BlockingCallRefused("the reactor stopped before answering"))
            }
        }
        return result!
    }
}
