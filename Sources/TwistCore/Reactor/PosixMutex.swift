internal import Glibc

/// A value guarded by a `pthread_mutex_t`, for the few places Twist shares state between threads
/// (the reactor's inbox, captured logs).
///
/// Why not `Synchronization.Mutex`: its lock is built on atomics and futexes inside a library
/// ThreadSanitizer does not instrument, so TSan cannot see that it orders the accesses it guards
/// and reports them as races. TSan intercepts `pthread_mutex_lock`/`unlock`, so with this lock a
/// TSan run reports only real races. The cost is the same uncontended fast path.
package final class PosixMutex<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// A mutex guarding `value`.
    package init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
