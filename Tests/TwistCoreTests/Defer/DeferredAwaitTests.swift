import Testing
import TwistCore
import TwistTesting

@Suite("Awaiting a Deferred")
struct DeferredAwaitTests {
    @Test @DeferredTestActor
    func awaitingAFiredDeferredReturnsItsValueWithoutSuspending() async throws {
        let d = succeed(4)
        var otherWorkRan = false
        Task { @DeferredTestActor in otherWorkRan = true }
        let value = try await d.value()
        #expect(value == 4)
        #expect(!otherWorkRan)  // no suspension point was taken, so the queued task has not run yet
    }

    @Test @DeferredTestActor
    func awaitingAnUnfiredDeferredSuspendsUntilItFires() async throws {
        let d = Deferred<String>()
        var fired = false
        Task { @DeferredTestActor in
            fired = true
            try d.callback("later")
        }
        let value = try await d.value()
        #expect(fired)
        #expect(value == "later")
    }

    @Test @DeferredTestActor
    func failureIsThrownAtTheAwaitAsTheOriginalErrorAndCanBeCaughtThere() async {
        let d: Deferred<Int> = fail(TestError(code: 3))
        do {
            _ = try await d.value()
            Issue.record("expected a throw")
        } catch let error as TestError {
            #expect(error.code == 3)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test @DeferredTestActor
    func awaitedFailureCountsAsHandled() async {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            Task { @DeferredTestActor in try d.errback(TestError()) }
            _ = try? await d.value()
        }
        #expect(capture.records.isEmpty)
    }

    @Test @DeferredTestActor
    func awaitingADeferredThatWaitsOnAnotherYieldsTheFinalValue() async throws {
        let outer = Deferred<Int>()
        let inner = Deferred<Int>()
        let end = outer.addCallback { _ in inner }.addCallback { $0 * 2 }
        try outer.callback(0)
        Task { @DeferredTestActor in try inner.callback(21) }
        #expect(try await end.value() == 42)
    }

    @Test @DeferredTestActor
    func cancellingTheAwaitingTaskCancelsTheDeferred() async throws {
        var cancellerCalls = 0
        let d = Deferred<Int> { _ in cancellerCalls += 1 }
        let waiter = Task { @DeferredTestActor in try await d.value() }
        await Task.yield()
        waiter.cancel()
        let result = await waiter.result
        #expect(cancellerCalls == 1)
        #expect(throws: CancelledError.self) { try result.get() }
    }

    @Test @DeferredTestActor
    func awaitingInAnAlreadyCancelledTaskCancelsTheDeferredAtOnce() async {
        let d = Deferred<Int>()
        let result = await Task { @DeferredTestActor in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await d.value()
        }.result
        #expect(throws: CancelledError.self) { try result.get() }
        #expect(d.failure?.check(CancelledError.self) != nil)
    }

    @Test @DeferredTestActor
    func awaitingStepsThroughAFakeClockOneTimerAtATime() async throws {
        let clock = TestClock()
        var steps: [String] = []
        let work = Task { @DeferredTestActor in
            steps.append("start")
            let first = try await deferLater(clock, 1) { 1 }.value()
            steps.append("first \(first)")
            let second = try await deferLater(clock, 1) { first + 1 }.value()
            steps.append("second \(second)")
            return second
        }
        await Task.yield()
        #expect(steps == ["start"])
        try clock.advance(1)
        await Task.yield()
        #expect(steps == ["start", "first 1"])
        try clock.advance(1)
        #expect(try await work.value == 2)
        #expect(steps == ["start", "first 1", "second 2"])
    }

    @Test @DeferredTestActor
    func lockWithLockReleasesOnErrorToo() async {
        let lock = DeferredLock()
        await #expect(throws: TestError.self) {
            try await lock.withLock { throw TestError() }
        }
        #expect(!lock.isLocked)
        let semaphore = DeferredSemaphore(tokens: 1)
        let value = try? await semaphore.withToken { 5 }
        #expect(value == 5)
        #expect(semaphore.tokens == 1)
    }
}
