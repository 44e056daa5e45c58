import Testing
import TwistCore
import TwistTesting

@Suite("addTimeout")
struct DeferredTimeoutTests {
    @Test func deferredNotFiredInTimeFailsWithTimeoutError() throws {
        let clock = TestClock()
        let d = Deferred<Int>().addTimeout(10, clock: clock)
        try clock.advance(9.9)
        #expect(!d.hasFired)
        try clock.advance(0.1)
        #expect(d.failure?.check(TimeoutError.self) == TimeoutError(seconds: 10))
        d.swallow()
    }

    @Test func timeoutReturnsTheSameDeferredForChaining() throws {
        let clock = TestClock()
        let d = Deferred<Int>()
        let end = d.addTimeout(1, clock: clock).addCallback { $0 + 1 }
        #expect(end.isSame(as: d))
        try d.callback(1)
        #expect(end.successValue == 2)
    }

    @Test func firingBeforeTheTimeoutCancelsTheTimer() throws {
        let clock = TestClock()
        let ok = Deferred<Int>()
        ok.addTimeout(5, clock: clock)
        let bad = Deferred<Int>()
        bad.addTimeout(5, clock: clock)
        try ok.callback(1)
        try bad.errback(TestError())
        #expect(clock.pendingCalls.isEmpty)
        let inner = Deferred<Int>()
        let waiting = ok.addCallback { _ in inner }
        try clock.advance(10)
        #expect(waiting.isWaiting)
        #expect(bad.failure?.check(TestError.self) != nil)
        bad.swallow()
        try inner.callback(2)
    }

    @Test func manualCancelBeforeTheTimeoutKeepsCancelledError() throws {
        let clock = TestClock()
        let d = Deferred<Int>().addTimeout(5, clock: clock)
        d.cancel()
        #expect(d.failure?.check(CancelledError.self) != nil)
        #expect(clock.pendingCalls.isEmpty)
        try clock.advance(10)
        #expect(d.failure?.check(CancelledError.self) != nil)
        d.swallow()
    }

    @Test func cancellersOutcomeWinsOverTheTimeoutConversion() throws {
        let clock = TestClock()
        let supplied = Deferred<Int> { try? $0.callback(7) }.addTimeout(1, clock: clock)
        let otherError = Deferred<Int> { try? $0.errback(TestError(code: 2)) }.addTimeout(1, clock: clock)
        try clock.advance(1)
        #expect(supplied.successValue == 7)
        #expect(otherError.failure?.check(TestError.self)?.code == 2)
        otherError.swallow()
    }

    @Test func errbacksAddedBeforeTheTimeoutSeeCancelledErrorAndMaySuppressIt() throws {
        let clock = TestClock()
        let d = Deferred<Int>()
        var earlierSaw: Failure?
        let end = d.addErrback { failure in
            earlierSaw = failure
            return 0
        }.addTimeout(1, clock: clock)
        try clock.advance(1)
        #expect(earlierSaw?.check(CancelledError.self) != nil)
        #expect(end.successValue == 0)
    }

    @Test func customOnTimeoutCancelReplacesTheConversionOnlyWhenTheTimeoutFired() throws {
        let clock = TestClock()
        var calls: [Double] = []
        let timedOut = Deferred<Int>().addTimeout(3, clock: clock) { result, seconds in
            calls.append(seconds)
            if case .failure(let failure) = result, failure.matches(CancelledError.self) { return -3 }
            return 0
        }
        try clock.advance(3)
        #expect(timedOut.successValue == -3)

        let cancelled = Deferred<Int>().addTimeout(3, clock: clock) { _, seconds in
            calls.append(seconds)
            return 0
        }
        cancelled.cancel()
        #expect(cancelled.failure?.check(CancelledError.self) != nil)
        cancelled.swallow()
        #expect(calls == [3])
    }

    @Test func customOnTimeoutCancelOverridesAnEarlierSuccess() throws {
        let clock = TestClock()
        let d = Deferred<Int>()
        let end = d.addErrback { _ in 1 }.addTimeout(2, clock: clock) { _, _ in 99 }
        try clock.advance(2)
        #expect(end.successValue == 99)
    }
}
