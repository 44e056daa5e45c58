/// A semaphore that admits up to a fixed number of holders at once (Twisted's `DeferredSemaphore`).
///
/// ``acquire()`` gives a Deferred that fires, with the semaphore, once a token is held: at once if
/// one is free, otherwise first come first served. ``release()`` hands the token straight to the
/// next waiter. Confined to the reactor thread.
public final class DeferredSemaphore: DeferredConcurrencyPrimitive {
    /// How many holders the semaphore admits at once.
    public let limit: Int

    /// How many tokens are free now.
    public private(set) var tokens: Int

    private var waiters: [Deferred<DeferredSemaphore>] = []

    /// Creates a semaphore with `tokens` tokens.
    ///
    /// - Precondition: `tokens` is at least 1 (Twisted raises `ValueError`).
    public init(tokens: Int) {
        precondition(tokens >= 1, "DeferredSemaphore needs at least one token, got \(tokens)")
        self.limit = tokens
        self.tokens = tokens
    }

    /// Asks for a token; the Deferred fires with the semaphore once one is held. Cancelling it while
    /// it waits fails it with ``CancelledError`` and removes it from the queue.
    public func acquire() -> Deferred<DeferredSemaphore> {
        let deferred = Deferred<DeferredSemaphore>(canceller: { [weak self] waiting in
            self?.waiters.removeAll { $0.isSame(as: waiting) }
        })
        if tokens > 0 {
            tokens -= 1
            try! deferred.callback(self)
        } else {
            waiters.append(deferred)
        }
        return deferred
    }

    /// Returns a token, handing it to the oldest waiter if there is one.
    ///
    /// - Precondition: a token is held.
    public func release() {
        precondition(tokens < limit, "DeferredSemaphore.release() called with no token held")
        if waiters.isEmpty {
            tokens += 1
        } else {
            try! waiters.removeFirst().callback(self)
        }
    }

    /// Holds a token while `body` runs, releasing it when `body` returns or throws.
    public func withToken<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        try await holding(body)
    }
}
