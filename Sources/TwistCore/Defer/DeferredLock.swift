/// A lock for code that runs on one thread but waits across callbacks (Twisted's `DeferredLock`).
///
/// ``acquire()`` gives a Deferred that fires, with the lock, once the caller holds it: at once if it
/// is free, otherwise when earlier holders have released it, first come first served. ``release()``
/// hands the lock straight to the next waiter, synchronously. Confined to the reactor thread.
public final class DeferredLock: DeferredConcurrencyPrimitive {
    /// True while someone holds the lock.
    public private(set) var isLocked = false

    private var waiters: [Deferred<DeferredLock>] = []

    /// Creates an unlocked lock.
    public init() {}

    /// Asks for the lock. The Deferred fires with the lock once it is held. Cancelling it while it
    /// waits fails it with ``CancelledError`` and removes it from the queue; cancelling it after it
    /// fired does nothing (the caller holds the lock and must release it).
    public func acquire() -> Deferred<DeferredLock> {
        let deferred = Deferred<DeferredLock>(canceller: { [weak self] waiting in
            self?.waiters.removeAll { $0.isSame(as: waiting) }
        })
        if isLocked {
            waiters.append(deferred)
        } else {
            isLocked = true
            try! deferred.callback(self)
        }
        return deferred
    }

    /// Releases the lock, handing it to the oldest waiter if there is one.
    ///
    /// - Precondition: the lock is held.
    public func release() {
        precondition(isLocked, "DeferredLock.release() called on a lock that is not held")
        if waiters.isEmpty {
            isLocked = false
        } else {
            try! waiters.removeFirst().callback(self)
        }
    }

    /// Holds the lock while `body` runs, releasing it when `body` returns or throws (Twisted's
    /// `async with lock`).
    public func withLock<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        try await holding(body)
    }
}
