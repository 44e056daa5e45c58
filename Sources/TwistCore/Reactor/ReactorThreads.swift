/// The thread capability of a reactor (Twisted's `IReactorThreads`): the one safe way into the
/// reactor from another thread, and the reactor's pool for blocking work. TwistTesting's
/// `FakeThreads` stands in for it, running "pool" work when the test says so.
public protocol ReactorThreads: AnyObject, Sendable {
    /// Runs `body` on the reactor thread, soon; an error it throws is logged.
    ///
    /// Safe to call from any thread, including the reactor's own. Calls run exactly once each, in
    /// the order they were made (per calling thread), and a sleeping reactor wakes at once to run
    /// them. Calls made before the reactor runs are run once it does.
    func callFromThread(_ body: @escaping @Sendable () throws -> Void)

    /// Runs `body` on a pool thread, in submission order; an error it throws is logged.
    ///
    /// - Throws: an error saying the pool has stopped, once it has (the body does not run).
    func callInThread(_ body: @escaping @Sendable () throws -> Void) throws

    /// Runs `body` on a pool thread and returns a Deferred that fires on the reactor thread with
    /// its value, or fails with its error (Twisted's `deferToThread`). Call it on the reactor thread.
    func deferToThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) -> Deferred<Value>

    /// The `async` spelling of ``deferToThread(_:)``: returns what `body` returns on a pool
    /// thread, or throws what it throws.
    func runInThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value

    /// ``runInThread(_:)`` with a ``ThreadWorkCancellation`` the body can check. When the
    /// awaiting task is cancelled, work not yet started never runs and the call throws
    /// `CancellationError` at once; running work sees the token set, and the call throws
    /// `CancellationError` once the body has returned.
    func runInThread<Value: Sendable>(
        _ body: @escaping @Sendable (ThreadWorkCancellation) throws -> Value
    ) async throws -> Value

    /// Sets the most threads the pool may run (only the maximum, as in Twisted).
    func suggestThreadPoolSize(_ maxThreads: Int)
}
