import Foundation
import Testing
import Twist
import TwistTestSupport

/// The pool on its own: lazy start, growth, stop semantics, refusals.
@Suite(.timeLimit(.minutes(1))) struct ThreadPoolTests {
    /// Polls `condition` every millisecond for at most `seconds` (sleeping, not blocking a
    /// thread of the cooperative pool); true once it held.
    private func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return condition()
    }

    /// Stops `pool` on a thread of its own (stop blocks until the workers are done).
    private func stopped(_ pool: ThreadPool, timeout: Double = 20) async -> Bool {
        await onOwnThread { pool.stop(timeout: timeout) }
    }

    @Test func noThreadExistsBeforeStartAndQueuedWorkRunsOnceStarted() async throws {
        let pool = ThreadPool(minThreads: 0, maxThreads: 3)
        let ran = Shared(0)
        for _ in 0..<5 { try pool.callInThread { ran.mutate { $0 += 1 } } }
        #expect(pool.threadCount == 0)
        #expect(pool.queuedCount == 5)
        #expect(ran.value == 0)
        try pool.start()
        #expect(pool.threadCount == 3)  // enough for the queued work, up to the maximum
        #expect(await stopped(pool, timeout: 10))
        #expect(ran.value == 5)
        #expect(pool.threadCount == 0)
    }

    @Test func startMakesTheMinimumAndWorkGrowsThePoolUpToTheMaximum() async throws {
        let pool = ThreadPool(minThreads: 2, maxThreads: 4)
        try pool.start()
        #expect(pool.threadCount == 2)
        let release = Shared(false)
        let started = Shared(0)
        for _ in 0..<6 {
            try pool.callInThread {
                started.mutate { $0 += 1 }
                while !release.value { usleep(500) }
            }
        }
        #expect(await eventually { started.value == 4 })
        #expect(pool.threadCount == 4)
        release.value = true
        #expect(await stopped(pool, timeout: 10))
        #expect(started.value == 6)
    }

    @Test func stopFinishesRunningAndQueuedWorkThenRefusesNewWork() async throws {
        let pool = ThreadPool(minThreads: 0, maxThreads: 2)
        try pool.start()
        let ran = Shared(0)
        for _ in 0..<200 {
            try pool.callInThread {
                usleep(100)
                ran.mutate { $0 += 1 }
            }
        }
        #expect(await stopped(pool, timeout: 20))
        #expect(ran.value == 200)
        #expect(throws: ThreadPoolStopped.self) { try pool.callInThread {} }
        #expect(throws: ThreadPoolAlreadyQuit.self) { try pool.start() }
        #expect(pool.isStopped)
    }

    @Test func aPoolStoppedBeforeItStartedDiscardsItsQueueAndSaysSo() async throws {
        let pool = ThreadPool(minThreads: 1, maxThreads: 1, name: "never-started")
        let outcome = Shared<[String]>([])
        try pool.callInThreadWithCallback({ (result: Result<Int, any Error>) in
            switch result {
            case .success(let value): outcome.mutate { $0.append("ran \(value)") }
            case .failure(let error): outcome.mutate { $0.append("\(error)") }
            }
        }, { 7 })
        #expect(await stopped(pool, timeout: 1))
        #expect(outcome.value == ["\(ThreadPoolStopped(poolName: "never-started"))"])
    }

    @Test func callInThreadWithCallbackHandsOverTheValueOrTheErrorOnTheSameWorker() async throws {
        struct Boom: Error {}
        let pool = ThreadPool(minThreads: 0, maxThreads: 1)
        try pool.start()
        let results = Shared<[String]>([])
        try pool.callInThreadWithCallback({ (result: Result<Int, any Error>) in
            results.mutate { $0.append((try? result.get()).map { "value \($0)" } ?? "error") }
        }, { 42 })
        try pool.callInThreadWithCallback({ (result: Result<Int, any Error>) in
            results.mutate { $0.append((try? result.get()).map { "value \($0)" } ?? "error") }
        }, { throw Boom() })
        #expect(await stopped(pool, timeout: 10))
        #expect(results.value == ["value 42", "error"])
    }

    @Test func adjustPoolSizeGrowsToTheMinimumAndRetiresIdleThreadsAboveTheMaximum() async throws {
        let pool = ThreadPool(minThreads: 0, maxThreads: 8)
        pool.adjustPoolSize(minThreads: 1, maxThreads: 2)  // not running: only recorded
        #expect(pool.threadCount == 0)
        #expect(pool.minThreads == 1 && pool.maxThreads == 2)
        try pool.start()
        #expect(pool.threadCount == 1)
        pool.adjustPoolSize(minThreads: 5, maxThreads: 6)
        #expect(pool.threadCount == 5)
        pool.adjustPoolSize(minThreads: 0, maxThreads: 2)
        #expect(await eventually { pool.threadCount == 2 })
        #expect(await stopped(pool, timeout: 10))
    }

    @Test func anErrorThrownByCallInThreadWorkIsLoggedAndTheWorkerCarriesOn() async throws {
        struct Boom: Error {}
        let pool = ThreadPool(minThreads: 0, maxThreads: 1)
        try pool.start()
        let ran = Shared(false)
        try pool.callInThread { throw Boom() }
        try pool.callInThread { ran.value = true }
        #expect(await stopped(pool, timeout: 10))
        #expect(ran.value)
    }
}
