import Testing
import TwistCore
import TwistTesting

/// Delayed calls, scheduled and driven through the deterministic TestClock.
@Suite struct DelayedCallTests {
    @Test func aCallRunsOnceItsDelayHasPassedAndNotBefore() throws {
        let clock = TestClock()
        var runs = 0
        let call = clock.callLater(2) { runs += 1 }
        #expect(call.time == 2)
        #expect(call.isActive)
        try clock.advance(1.5)
        #expect(runs == 0)
        try clock.advance(0.5)
        #expect(runs == 1)
        #expect(!call.isActive)
        #expect(call.hasRun)
        try clock.advance(10)
        #expect(runs == 1)
    }

    @Test func theCallTimeCountsFromTheClocksCurrentTime() throws {
        let clock = TestClock()
        try clock.advance(5)
        let call = clock.callLater(1.5) {}
        #expect(call.time == 6.5)
        #expect(clock.seconds() == 5)
    }

    @Test func callsRunInDeadlineOrder() throws {
        let clock = TestClock()
        var order: [Int] = []
        clock.callLater(3) { order.append(3) }
        clock.callLater(1) { order.append(1) }
        clock.callLater(2) { order.append(2) }
        try clock.advance(5)
        #expect(order == [1, 2, 3])
    }

    @Test func callsDueAtTheSameTimeRunInTheOrderTheyWereScheduled() throws {
        let clock = TestClock()
        var order: [String] = []
        for name in ["a", "b", "c", "d", "e", "f", "g"] {
            clock.callLater(1) { order.append(name) }
        }
        try clock.advance(1)
        #expect(order == ["a", "b", "c", "d", "e", "f", "g"])
    }

    @Test func aCancelledCallNeverRuns() throws {
        let clock = TestClock()
        var ran = false
        let call = clock.callLater(1) { ran = true }
        try call.cancel()
        #expect(!call.isActive)
        #expect(call.isCancelled)
        try clock.advance(2)
        #expect(!ran)
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func cancellingTwiceThrowsAlreadyCancelled() throws {
        let clock = TestClock()
        let call = clock.callLater(1) {}
        try call.cancel()
        #expect(throws: AlreadyCancelled.self) { try call.cancel() }
        #expect(throws: AlreadyCancelled.self) { try call.reset(to: 1) }
        #expect(throws: AlreadyCancelled.self) { try call.delay(by: 1) }
    }

    @Test func cancellingAfterTheCallRanThrowsAlreadyCalled() throws {
        let clock = TestClock()
        let call = clock.callLater(1) {}
        try clock.advance(1)
        #expect(throws: AlreadyCalled.self) { try call.cancel() }
        #expect(throws: AlreadyCalled.self) { try call.reset(to: 1) }
        #expect(throws: AlreadyCalled.self) { try call.delay(by: 1) }
    }

    @Test func aCallCancellingItselfWhileRunningGetsAlreadyCalled() throws {
        let clock = TestClock()
        var selfCall: DelayedCall?
        var caught: (any Error)?
        selfCall = clock.callLater(1) {
            do { try selfCall?.cancel() } catch { caught = error }
        }
        try clock.advance(1)
        #expect(caught is AlreadyCalled)
    }

    @Test func resetMovesTheCallToNowPlusTheNewDelayLaterOrSooner() throws {
        let clock = TestClock()
        var runs: [Double] = []
        let later = clock.callLater(2) { runs.append(clock.seconds()) }
        try clock.advance(1)
        try later.reset(to: 3)
        #expect(later.time == 4)
        try clock.advance(2)
        #expect(runs.isEmpty)
        try clock.advance(1)
        #expect(runs == [4])

        let sooner = clock.callLater(10) { runs.append(clock.seconds()) }
        try sooner.reset(to: 1)
        try clock.advance(1)
        #expect(runs == [4, 5])
    }

    @Test func delayPushesTheScheduledTimeBack() throws {
        let clock = TestClock()
        var ran = false
        let call = clock.callLater(2) { ran = true }
        try clock.advance(1)
        try call.delay(by: 2)
        #expect(call.time == 4)
        try clock.advance(2)
        #expect(!ran)
        try clock.advance(1)
        #expect(ran)
    }

    @Test func resetAndDelayKeepCallsOrdered() throws {
        let clock = TestClock()
        var order: [String] = []
        let a = clock.callLater(1) { order.append("a") }
        clock.callLater(2) { order.append("b") }
        let c = clock.callLater(3) { order.append("c") }
        try a.delay(by: 2.5)  // a now at 3.5
        try c.reset(to: 0.5)  // c now at 0.5
        try clock.advance(4)
        #expect(order == ["c", "b", "a"])
    }

    @Test func aResetInsideAnotherCallKeepsCallsOrdered() throws {
        let clock = TestClock()
        var order: [String] = []
        let late = clock.callLater(5) { order.append("late") }
        clock.callLater(1) {
            order.append("first")
            try late.reset(to: 0.5)
        }
        clock.callLater(2) { order.append("second") }
        // advance() moves time first and then runs what is due, so step one second at a time.
        try clock.pump([1, 1, 1])
        #expect(order == ["first", "late", "second"])
    }

    @Test func advanceRunsCallsScheduledByCallsWhenTheyAreAlreadyDue() throws {
        let clock = TestClock()
        var order: [String] = []
        clock.callLater(1) {
            order.append("outer")
            clock.callLater(0) { order.append("inner") }
            clock.callLater(5) { order.append("too late") }
        }
        try clock.advance(1)
        #expect(order == ["outer", "inner"])
        #expect(clock.pendingCalls.count == 1)
    }

    @Test func pumpAdvancesStepByStep() throws {
        let clock = TestClock()
        var seen: [Double] = []
        for delay in [1.0, 2.0, 3.0] {
            clock.callLater(delay) { seen.append(clock.seconds()) }
        }
        try clock.pump([1, 1, 1])
        #expect(seen == [1, 2, 3])
        #expect(clock.seconds() == 3)
    }

    @Test func pendingCallsListsOnlyActiveCallsEarliestFirst() throws {
        let clock = TestClock()
        #expect(clock.pendingCalls.isEmpty)
        let b = clock.callLater(2) {}
        let a = clock.callLater(1) {}
        let cancelled = clock.callLater(3) {}
        try cancelled.cancel()
        #expect(clock.pendingCalls.map(ObjectIdentifier.init) == [a, b].map(ObjectIdentifier.init))
    }

    @Test func anErrorFromACallSurfacesFromAdvanceAndLaterCallsStayPending() throws {
        struct Boom: Error {}
        let clock = TestClock()
        var ranAfter = false
        clock.callLater(1) { throw Boom() }
        clock.callLater(1) { ranAfter = true }
        #expect(throws: Boom.self) { try clock.advance(1) }
        #expect(!ranAfter)
        try clock.advance(0)
        #expect(ranAfter)
    }

    @Test func aCallReleasesWhatItsBodyCapturedOnceCancelledOrRun() throws {
        final class Payload {}
        let clock = TestClock()
        weak var cancelledPayload: Payload?
        weak var ranPayload: Payload?
        var handles: [DelayedCall] = []
        do {
            let first = Payload()
            let second = Payload()
            cancelledPayload = first
            ranPayload = second
            handles.append(clock.callLater(1) { _ = first })
            handles.append(clock.callLater(1) { _ = second })
        }
        try handles[0].cancel()
        try clock.advance(1)
        #expect(cancelledPayload == nil)
        #expect(ranPayload == nil)
        #expect(handles.count == 2)
    }

    @Test func aNegativeDelayIsRejected() async {
        await #expect(processExitsWith: .failure) {
            _ = TestClock().callLater(-1) {}
        }
    }
}
