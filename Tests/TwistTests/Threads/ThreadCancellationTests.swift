import Foundation
import Glibc
import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// Cancelling pool work: `runInThread` when its task is cancelled before the work starts, while
/// it runs, or before the call; and a `deferToThread` Deferred cancelled while its work runs.
@Suite(.timeLimit(.minutes(1))) struct ThreadCancellationTests {
    /// Blocks the calling pool thread until `open` is set (at most 50 s, so a broken test ends
    /// within its time limit; longer than the test's own waits, so that a busy test run — the
    /// cooperative threads can be taken for 15 s and more by CPU-heavy suites in a debug build —
    /// cannot release it early).
    private static func wait(for open: Shared<Bool>) {
        let deadline = Date().addingTimeInterval(50)
        while !open.value && Date() < deadline { usleep(1000) }
    }

    @Test func workCancelledWhileQueuedNeverRunsAndItsCallerResumesAtOnce() async throws {
        let reactor = Reactor()
        reactor.suggestThreadPoolSize(1)
        let running = startReactorThread(reactor, timeout: 30)
        let pool = try #require(reactor.threadPool)
        let blockerStarted = Shared(false)
        let releaseBlocker = Shared(false)
        try reactor.callInThread {
            blockerStarted.value = true
            Self.wait(for: releaseBlocker)
        }
        #expect(await eventually(within: 40) { blockerStarted.value })
        let ran = Shared(false)
        let task = Task { try await reactor.runInThread { () -> Int in
            ran.value = true
            return 1
        } }
        #expect(await eventually(within: 40) { pool.queuedCount == 1 })
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!releaseBlocker.value, "the caller resumed while the only worker was still busy")
        releaseBlocker.value = true
        // The pool runs in order on its one thread: once this has run, the cancelled job was taken.
        #expect(try await reactor.runInThread { 2 } == 2)
        #expect(!ran.value, "work cancelled before it started never runs")
        stopFromOutside(reactor)
        #expect(await !running.value.timedOut)
    }

    @Test func workCancelledWhileRunningSeesTheTokenAndItsCallerWaitsForItToReturn() async throws {
        let reactor = Reactor()
        let running = startReactorThread(reactor, timeout: 30)
        let started = Shared(false)
        let sawCancellation = Shared(false)
        let returned = Shared(false)
        let task = Task {
            try await reactor.runInThread { (cancellation: ThreadWorkCancellation) -> String in
                started.value = true
                let deadline = Date().addingTimeInterval(50)
                while !cancellation.isCancelled && Date() < deadline { usleep(1000) }
                sawCancellation.value = cancellation.isCancelled
                // Linger after seeing it: a caller resumed before the body returns would see
                // `returned` still false.
                usleep(100_000)
                returned.value = true
                return "finished anyway"
            }
        }
        #expect(await eventually(within: 40) { started.value })
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(sawCancellation.value)
        #expect(returned.value, "the caller resumes only once the body has returned")
        stopFromOutside(reactor)
        #expect(await !running.value.timedOut)
    }

    @Test func aBodyThatChecksThrowsAndTheCallerStillSeesCancellation() async throws {
        struct Stopped: Error {}
        let reactor = Reactor()
        let running = startReactorThread(reactor, timeout: 30)
        let started = Shared(false)
        let task = Task {
            try await reactor.runInThread { (cancellation: ThreadWorkCancellation) -> Int in
                started.value = true
                let deadline = Date().addingTimeInterval(50)
                while Date() < deadline {
                    try cancellation.checkCancellation()
                    usleep(1000)
                }
                throw Stopped()
            }
        }
        #expect(await eventually(within: 40) { started.value })
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        stopFromOutside(reactor)
        #expect(await !running.value.timedOut)
    }

    @Test func aTaskAlreadyCancelledNeverRunsTheWork() async throws {
        let reactor = Reactor()
        let running = startReactorThread(reactor, timeout: 30)
        let ran = Shared(false)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await reactor.runInThread { () -> Int in
                ran.value = true
                return 1
            }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await reactor.runInThread { (token: ThreadWorkCancellation) in token.isCancelled } == false)
        #expect(!ran.value)
        stopFromOutside(reactor)
        #expect(await !running.value.timedOut)
    }

    @Test func aDeferToThreadDeferredCancelledWhileItsWorkRunsFailsAtOnceAndDropsTheLateResult() async {
        let capture = LogCapture()
        let reactor = Reactor(logger: capture.logger())
        reactor.suggestThreadPoolSize(1)
        let started = Shared(false)
        let release = Shared(false)
        let bodyReturned = Shared(false)
        let seen = Shared<[String]>([])
        let finished = await runRunning(reactor) {
            let deferred = reactor.deferToThread { () -> Int in
                started.value = true
                Self.wait(for: release)
                bodyReturned.value = true
                return 7
            }
            _ = deferred.addCallbacks(
                { (value: Int) in seen.mutate { $0.append("value \(value)") } },
                { failure in
                    seen.mutate { $0.append(failure.check(CancelledError.self) != nil ? "cancelled" : "\(failure)") }
                })
            // Cancel once the work is running, then let it finish. The pool has one thread and
            // hands results to the reactor in order, so the second job's result arrives after the
            // first one's late result: stopping there proves the late result came and was dropped.
            func cancelWhenStarted() {
                guard started.value else {
                    reactor.callLater(0.001) { cancelWhenStarted() }
                    return
                }
                deferred.cancel()
                seen.mutate { $0.append("after cancel: body returned \(bodyReturned.value)") }
                release.value = true
                _ = reactor.deferToThread { bodyReturned.value }.addCallback { (returned: Bool) in
                    seen.mutate { $0.append("next job saw body returned \(returned)") }
                    try reactor.stop()
                }
            }
            cancelWhenStarted()
        }
        #expect(finished)
        #expect(seen.value == ["cancelled", "after cancel: body returned false", "next job saw body returned true"])
        #expect(bodyReturned.value, "the work itself is not interrupted (as in Twisted)")
        #expect(!capture.records.contains { $0.level >= .error }, "\(capture.records)")
    }

    @Test func fakeThreadsHandTheBodyATokenAndRefuseACancelledTask() async throws {
        let threads = FakeThreads()
        #expect(try await threads.runInThread { (token: ThreadWorkCancellation) in token.isCancelled } == false)
        let ran = Shared(false)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await threads.runInThread { (_: ThreadWorkCancellation) -> Int in
                ran.value = true
                return 1
            }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!ran.value)
        #expect(!ThreadWorkCancellation.never.isCancelled)
    }
}
