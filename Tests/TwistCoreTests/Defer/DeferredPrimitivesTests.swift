import Testing
import TwistCore

@Suite("DeferredLock, DeferredSemaphore, DeferredQueue")
struct DeferredPrimitivesTests {
    @Test func lockIsHandedToWaitersInOrderSynchronouslyOnRelease() {
        let lock = DeferredLock()
        let first = lock.acquire()
        #expect(first.hasFired && lock.isLocked)
        let second = lock.acquire()
        let third = lock.acquire()
        #expect(!second.hasFired)
        lock.release()
        #expect(second.hasFired && !third.hasFired && lock.isLocked)
        lock.release()
        #expect(third.hasFired)
        lock.release()
        #expect(!lock.isLocked)
    }

    @Test func lockRunReleasesWhenTheReturnedDeferredCompletesAndPassesItsResultOn() throws {
        let lock = DeferredLock()
        let work = Deferred<Int>()
        let result = lock.run { work }
        #expect(lock.isLocked)
        try work.callback(3)
        #expect(result.successValue == 3)
        #expect(!lock.isLocked)

        let failed = lock.run { () throws -> Int in throw TestError(code: 1) }
        #expect(failed.failure?.check(TestError.self)?.code == 1)
        #expect(!lock.isLocked)
        failed.swallow()
    }

    @Test func cancellingAPendingAcquireRemovesItAndACompletedOneIsUnaffected() {
        let lock = DeferredLock()
        let held = lock.acquire()
        let waiting = lock.acquire()
        waiting.cancel()
        #expect(waiting.failure?.check(CancelledError.self) != nil)
        waiting.swallow()
        held.cancel()
        #expect(held.successValue != nil)
        lock.release()
        #expect(!lock.isLocked)
    }

    @Test func semaphoreAdmitsItsTokenCountThenQueues() {
        let semaphore = DeferredSemaphore(tokens: 2)
        let a = semaphore.acquire()
        let b = semaphore.acquire()
        let c = semaphore.acquire()
        #expect(a.hasFired && b.hasFired && !c.hasFired)
        #expect(semaphore.tokens == 0)
        semaphore.release()
        #expect(c.hasFired)
        let d = semaphore.acquire()
        d.cancel()
        #expect(d.failure?.check(CancelledError.self) != nil)
        d.swallow()
        semaphore.release()
        semaphore.release()
        #expect(semaphore.tokens == 2)
    }

    @Test func semaphoreWithoutTokensIsRejected() async {
        await #expect(processExitsWith: .failure) {
            _ = DeferredSemaphore(tokens: 0)
        }
    }

    @Test func queueServesPendingItemsAtOnceAndWaitersInOrder() throws {
        let queue = DeferredQueue<Int>()
        try queue.put(1)
        #expect(try queue.get().successValue == 1)
        let first = try queue.get()
        let second = try queue.get()
        try queue.put(2)
        try queue.put(3)
        #expect(first.successValue == 2)
        #expect(second.successValue == 3)
    }

    @Test func queueOverflowAndUnderflowAreThrownSynchronously() throws {
        let bounded = DeferredQueue<Int>(size: 1, backlog: 1)
        try bounded.put(1)
        #expect(throws: QueueOverflow.self) { try bounded.put(2) }
        _ = try bounded.get()
        _ = try bounded.get()
        #expect(throws: QueueUnderflow.self) { try bounded.get() }

        let zero = DeferredQueue<Int>(size: 0, backlog: 0)
        #expect(throws: QueueOverflow.self) { try zero.put(1) }
        #expect(throws: QueueUnderflow.self) { try zero.get() }
    }

    @Test func cancelledGetIsRemovedSoALaterPutKeepsTheItem() throws {
        let queue = DeferredQueue<Int>()
        let get = try queue.get()
        get.cancel()
        get.swallow()
        #expect(queue.waitingCount == 0)
        try queue.put(5)
        #expect(queue.pending == [5])
    }
}
