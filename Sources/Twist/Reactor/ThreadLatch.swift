import Glibc

/// A one-time gate a thread can block on until another thread opens it (a POSIX semaphore, which
/// ThreadSanitizer understands). Used where a caller outside every reactor must wait for reactor
/// threads: ``ReactorGroup/stop()``, and listening on a running group.
final class ThreadLatch: @unchecked Sendable {
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init() {
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Lets the waiting thread go (call once).
    func open() {
        sem_post(semaphore)
    }

    /// Blocks until ``open()`` has been called.
    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
