import CLibev
import TwistCore

/// Work handed to the reactor from other threads.
enum ThreadWork: Sendable {
    /// A `callFromThread` body.
    case call(@Sendable () throws -> Void)
    /// A Swift Concurrency job for the reactor's executor.
    case job(UnownedJob)
}

/// The reactor's one way in from other threads: a locked FIFO queue plus the `ev_async` watcher
/// that wakes the loop. Posting is safe from any thread; taking happens on the reactor thread.
final class ThreadInbox: Sendable {
    private let queue = PosixMutex<[ThreadWork]>([])
    private let waker: LoopWaker

    init(waker: LoopWaker) {
        self.waker = waker
    }

    /// Queues `work` and wakes the loop (libev coalesces wake-ups that arrive before it drains).
    func post(_ work: ThreadWork) {
        queue.withLock { $0.append(work) }
        waker.wake()
    }

    /// Moves everything queued into `batch` (which must be empty), leaving `batch`'s old storage
    /// behind as the new queue so neither side allocates in the steady state.
    func takeAll(into batch: inout [ThreadWork]) {
        queue.withLock { swap(&$0, &batch) }
    }
}

/// The two pointers `ev_async_send` needs, which is safe to call from any thread.
struct LoopWaker: @unchecked Sendable {
    let loop: OpaquePointer
    let watcher: UnsafeMutablePointer<ev_async>

    func wake() {
        ev_async_send(loop, watcher)
    }
}
