import Foundation
import Testing
@testable import Twist
import TwistTestSupport

/// Which worker takes a job: the one that went idle last (warm), or the one still polling after
/// its previous job; and polling never loses or delays a job past the pool's stop.
@Suite(.timeLimit(.minutes(1))) struct ThreadPoolWakeOrderTests {
    /// The calling thread's id.
    private static func threadID() -> UInt { UInt(pthread_self()) }

    @Test func eachJobGoesToTheWorkerThatWentIdleLast() async throws {
        let pool = ThreadPool(minThreads: 4, maxThreads: 4, idlePollTime: .zero)
        try pool.start()
        #expect(await eventually(within: 10) { pool.parkedWorkerCount == 4 })
        let ranOn = Shared<[UInt]>([])
        for round in 1...12 {
            try pool.callInThread { ranOn.mutate { $0.append(Self.threadID()) } }
            // The job ran and its worker parked again: it is now the one that went idle last.
            #expect(await eventually(within: 10) { ranOn.value.count == round && pool.parkedWorkerCount == 4 })
        }
        // A condition variable shared by all four would hand the jobs round the sleepers.
        #expect(Set(ranOn.value).count == 1, "jobs ran on \(Set(ranOn.value).count) threads")
        #expect(await onOwnThread { pool.stop(timeout: 10) })
    }

    @Test func jobsSubmittedAsResultsArriveAllRunInOrderWhilePolling() async throws {
        let pool = ThreadPool(minThreads: 0, maxThreads: 3, idlePollTime: .milliseconds(5))
        try pool.start()
        let order = Shared<[Int]>([])
        let total = 2_000
        // Each job submits the next from its worker's callback: the pattern polling serves.
        @Sendable func submit(_ index: Int) {
            try? pool.callInThreadWithCallback({ (_: Result<Void, any Error>) in
                if index + 1 < total { submit(index + 1) }
            }, { order.mutate { $0.append(index) } })
        }
        submit(0)
        #expect(await eventually(within: 10) { order.value.count == total })
        #expect(order.value == Array(0..<total))
        #expect(await onOwnThread { pool.stop(timeout: 10) })
        #expect(pool.threadCount == 0)
    }

    @Test func aBatchIsSpreadOverParkedWorkersEvenWhileOneWorkerPolls() async throws {
        let pool = ThreadPool(minThreads: 3, maxThreads: 3, idlePollTime: .seconds(5))
        try pool.start()
        #expect(await eventually(within: 10) { pool.parkedWorkerCount == 3 })
        // One quick job: its worker then polls for up to 5 s.
        try pool.callInThread {}
        #expect(await eventually(within: 10) { pool.parkedWorkerCount == 2 })
        // Three jobs that each wait for the others: they finish only if all three run at once,
        // so the poller must not be counted on for more than one of them.
        let started = Shared(0)
        let finished = Shared(0)
        for _ in 0..<3 {
            try pool.callInThread {
                started.mutate { $0 += 1 }
                let deadline = ContinuousClock.now + .seconds(10)
                while started.value < 3 && ContinuousClock.now < deadline { usleep(200) }
                if started.value == 3 { finished.mutate { $0 += 1 } }
            }
        }
        #expect(await eventually(within: 10) { finished.value == 3 })
        #expect(await onOwnThread { pool.stop(timeout: 10) })
    }

    @Test func aPollingWorkerDoesNotHoldUpTheStop() async throws {
        let pool = ThreadPool(minThreads: 0, maxThreads: 1, idlePollTime: .seconds(60))
        try pool.start()
        let ran = Shared(false)
        try pool.callInThread { ran.value = true }
        #expect(await eventually(within: 10) { ran.value })
        // The worker polls for up to a minute: the stop ends the polling at once.
        #expect(await onOwnThread { pool.stop(timeout: 10) })
        #expect(pool.threadCount == 0)
        #expect(throws: ThreadPoolStopped.self) { try pool.callInThread {} }
    }

    @Test func aNegativePollTimeMeansNoPolling() {
        #expect(ThreadPool(idlePollTime: .microseconds(-3)).idlePollTime == .zero)
        #expect(ThreadPool().idlePollTime == ThreadPool.defaultIdlePollTime)
    }
}
