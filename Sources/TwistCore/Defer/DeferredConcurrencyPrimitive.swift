/// What ``DeferredLock`` and ``DeferredSemaphore`` share (Twisted's `_ConcurrencyPrimitive`): a
/// resource acquired through a Deferred and released by hand, and the ways to hold it around work.
public protocol DeferredConcurrencyPrimitive: AnyObject {
    /// Asks for the resource; the Deferred fires with the primitive once the caller holds it.
    func acquire() -> Deferred<Self>

    /// Gives the resource back, handing it to the oldest waiter if there is one.
    func release()
}

extension DeferredConcurrencyPrimitive {
    /// Acquires the resource, runs `body` (as `maybeDeferred` would), and releases the resource
    /// when `body`'s result is ready, passing that result or failure on (Twisted's `run`).
    public func run<Value>(_ body: @escaping () throws -> Value) -> Deferred<Value> {
        run { maybeDeferred(body) }
    }

    /// Acquires the resource, runs `body`, and releases the resource once the Deferred it returned
    /// has fired, passing its result or failure on.
    public func run<Value>(_ body: @escaping () throws -> Deferred<Value>) -> Deferred<Value> {
        acquire()
            .addCallback { _ in maybeDeferred(body) }
            .addBoth { result in
                self.release()
                return try result.get()
            }
    }

    /// Holds the resource while `body` runs, releasing it when `body` returns or throws (the
    /// `async with` form).
    func holding<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        _ = try await acquire().value()
        defer { release() }
        return try await body()
    }
}
