import Glibc

/// One idle worker of a ``ThreadPool``, parked on a condition variable of its own (with the pool's
/// mutex), so that the pool wakes exactly the worker it chooses: the one that parked last, whose
/// stack and caches are the warmest. Every field is guarded by the pool's mutex.
final class ThreadPoolParkedWorker {
    /// Signalled to wake this worker.
    let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Set by the waker, cleared by the worker: tells a real wake-up from a spurious one.
    var isWoken = false

    init() {
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }
}
