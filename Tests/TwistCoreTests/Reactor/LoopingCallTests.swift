import Testing
import TwistCore
import TwistTesting

/// LoopingCall driven by the TestClock.
@Suite struct LoopingCallTests {
    struct Boom: Error {}

    /// The loop's finishing Deferred's outcome, once it fired.
    final class Outcome {
        var loop: LoopingCall?
        var failure: Failure?
        var fired: Bool { loop != nil || failure != nil }

        init(_ deferred: Deferred<LoopingCall>) {
            _ = deferred.addCallbacks({ self.loop = $0 }, { self.failure = $0 })
        }
    }

    @Test func startNowCallsAtOnceThenEveryIntervalAndStopFiresWithTheLoop() throws {
        let clock = TestClock()
        var times: [Double] = []
        let loop = LoopingCall(clock: clock) { times.append(clock.seconds()) }
        let outcome = Outcome(loop.start(interval: 1))
        #expect(times == [0])
        try clock.pump([1, 1, 1])
        #expect(times == [0, 1, 2, 3])
        #expect(!outcome.fired)
        loop.stop()
        #expect(outcome.loop === loop)
        #expect(!loop.isRunning)
        try clock.advance(5)
        #expect(times.count == 4)
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func startWithoutNowWaitsOneInterval() throws {
        let clock = TestClock()
        var calls = 0
        let loop = LoopingCall(clock: clock) { calls += 1 }
        loop.start(interval: 2, now: false)
        try clock.advance(1.5)
        #expect(calls == 0)
        try clock.advance(0.5)
        #expect(calls == 1)
        loop.stop()
    }

    @Test func stoppingBeforeTheFirstDelayedCallMeansTheFunctionNeverRuns() throws {
        let clock = TestClock()
        var calls = 0
        let loop = LoopingCall(clock: clock) { calls += 1 }
        let outcome = Outcome(loop.start(interval: 1, now: false))
        loop.stop()
        try clock.advance(10)
        #expect(calls == 0)
        #expect(outcome.loop === loop)
    }

    @Test func stoppingFromInsideTheFunctionFiresTheDeferredAfterIt() throws {
        let clock = TestClock()
        var calls = 0
        var loop: LoopingCall!
        loop = LoopingCall(clock: clock) {
            calls += 1
            if calls == 3 { loop.stop() }
        }
        let outcome = Outcome(loop.start(interval: 1))
        try clock.advance(1)
        #expect(!outcome.fired)
        try clock.advance(1)
        #expect(outcome.loop === loop)
        try clock.advance(10)
        #expect(calls == 3)
    }

    @Test func aThrowingFunctionStopsTheLoopAndFailsTheDeferred() throws {
        let clock = TestClock()
        var calls = 0
        let loop = LoopingCall(clock: clock) {
            calls += 1
            if calls == 2 { throw Boom() }
        }
        let outcome = Outcome(loop.start(interval: 1))
        try clock.advance(1)
        #expect(outcome.failure?.check(Boom.self) != nil)
        #expect(!loop.isRunning)
        try clock.advance(10)
        #expect(calls == 2)
    }

    @Test func aFunctionThatStopsAndThenThrowsStillFailsTheDeferred() {
        let clock = TestClock()
        var loop: LoopingCall!
        loop = LoopingCall(clock: clock) {
            loop.stop()
            throw Boom()
        }
        let outcome = Outcome(loop.start(interval: 1))
        #expect(outcome.failure?.check(Boom.self) != nil)
        #expect(outcome.loop == nil)
    }

    @Test func theNextCallWaitsForTheDeferredTheFunctionReturned() throws {
        let clock = TestClock()
        var pending: [Deferred<Int>] = []
        let loop = LoopingCall(clock: clock, waitingFor: { () -> Deferred<Int> in
            let work = Deferred<Int>()
            pending.append(work)
            return work
        })
        loop.start(interval: 1)
        #expect(pending.count == 1)
        try clock.advance(5)
        #expect(pending.count == 1)  // still waiting: no call scheduled
        try pending[0].callback(1)
        try clock.advance(1)
        #expect(pending.count == 2)
        loop.stop()
        try pending[1].callback(2)
    }

    @Test func aFailedDeferredFromTheFunctionStopsTheLoopWithItsFailure() throws {
        let clock = TestClock()
        let work = Deferred<Void>()
        let loop = LoopingCall(clock: clock, waitingFor: { work })
        let outcome = Outcome(loop.start(interval: 1))
        try work.errback(Boom())
        #expect(outcome.failure?.check(Boom.self) != nil)
        #expect(!loop.isRunning)
    }

    @Test func missedIntervalsAreSkippedNotReplayed() throws {
        let clock = TestClock()
        var times: [Double] = []
        let loop = LoopingCall(clock: clock) { times.append(clock.seconds()) }
        loop.start(interval: 1)
        try clock.advance(3.5)  // boundaries 1, 2 and 3 were missed
        #expect(times == [0, 3.5])
        try clock.advance(0.5)  // the next call sits on boundary 4, not 4.5
        #expect(times == [0, 3.5, 4])
        loop.stop()
    }

    @Test func aSlowFunctionDoesNotShiftTheSchedule() throws {
        let clock = TestClock()
        var times: [Double] = []
        let loop = LoopingCall(clock: clock, waitingFor: { () -> Deferred<Void> in
            times.append(clock.seconds())
            return deferLater(clock, 2.5) {}  // the work takes 2.5 intervals
        })
        loop.start(interval: 1)
        try clock.pump([2.5, 0.5])
        #expect(times == [0, 3])
        loop.stop()
        try clock.advance(3)
    }

    @Test func withCountReportsTheBoundariesCrossed() throws {
        let clock = TestClock()
        var counts: [Int] = []
        let loop = LoopingCall.withCount(clock: clock) { counts.append($0) }
        loop.start(interval: 1)
        try clock.advance(1)
        try clock.advance(3)
        try clock.advance(1)
        #expect(counts == [1, 1, 3, 1])
        loop.stop()
    }

    @Test func withCountSumsToTheElapsedIntervalsWithInexactFloats() throws {
        let clock = TestClock()
        var total = 0
        let loop = LoopingCall.withCount(clock: clock) { total += $0 }
        loop.start(interval: 0.1, now: false)
        for _ in 0..<1_000 { try clock.advance(0.1) }
        loop.stop()
        let elapsedIntervals = Int((clock.seconds() / 0.1).rounded(.towardZero))
        #expect(abs(total - elapsedIntervals) <= 1)
        #expect(total >= 999)
    }

    @Test func withCountIsAlwaysOneWithAZeroInterval() throws {
        let clock = TestClock()
        var counts: [Int] = []
        var loop: LoopingCall!
        loop = LoopingCall.withCount(clock: clock) { count in
            counts.append(count)
            if counts.count == 5 { loop.stop() }
        }
        let outcome = Outcome(loop.start(interval: 0))
        try clock.advance(0)
        #expect(counts == [1, 1, 1, 1, 1])
        #expect(outcome.loop === loop)
    }

    @Test func skippingTenMillionIntervalsIsOneCall() throws {
        let clock = TestClock()
        var counts: [Int] = []
        let loop = LoopingCall.withCount(clock: clock) { counts.append($0) }
        loop.start(interval: 0.1, now: false)
        try clock.advance(1_000_000)
        #expect(counts.count == 1)
        #expect(abs(counts[0] - 10_000_000) <= 1)
        #expect(clock.pendingCalls.count == 1)
        loop.stop()
    }

    @Test func resetSkipsTheNextCallAndRestartsTheIntervalFromNow() throws {
        let clock = TestClock()
        var times: [Double] = []
        let loop = LoopingCall(clock: clock) { times.append(clock.seconds()) }
        loop.start(interval: 2)
        try clock.advance(1.5)
        loop.reset()
        try clock.advance(0.5)  // boundary 2 of the old schedule: skipped
        #expect(times == [0])
        try clock.advance(1.5)  // 2 seconds after the reset
        #expect(times == [0, 3.5])
        loop.stop()
    }

    @Test func aLoopCanBeStartedAgainAfterItStopped() throws {
        let clock = TestClock()
        var calls = 0
        let loop = LoopingCall(clock: clock) { calls += 1 }
        loop.start(interval: 1)
        loop.stop()
        loop.start(interval: 2)
        #expect(loop.interval == 2)
        try clock.advance(2)
        #expect(calls == 3)
        loop.stop()
    }

    @Test func misuseIsAProgrammingError() async {
        await #expect(processExitsWith: .failure) {
            let loop = LoopingCall(clock: TestClock()) {}
            loop.start(interval: -1)
        }
        await #expect(processExitsWith: .failure) {
            let loop = LoopingCall(clock: TestClock()) {}
            loop.start(interval: 1)
            loop.start(interval: 1)
        }
        await #expect(processExitsWith: .failure) {
            LoopingCall(clock: TestClock()) {}.stop()
        }
    }
}
