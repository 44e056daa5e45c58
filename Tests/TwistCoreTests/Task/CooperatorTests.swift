import Testing
import TwistCore
import TwistTesting

/// A cooperator on `clock` whose ticks come one second apart and run `steps` steps each.
private func makeCooperator(_ clock: TestClock, steps: Int = 1, started: Bool = true) -> Cooperator {
    Cooperator(clock: clock, started: started, tickDelay: 1, terminationPredicate: Cooperator.steps(steps))
}

/// Work that appends `name` to `log` on each of `count` steps, then finishes.
private func counting(_ name: String, _ count: Int, into log: Log) -> () throws -> CooperativeStep {
    var left = count
    return {
        guard left > 0 else { return .finished }
        left -= 1
        log.entries.append(name)
        return .more
    }
}

/// What the work of a test did, in order.
final class Log {
    var entries: [String] = []
}

/// Spec §6 items 66–68 and 70: ticks, round-robin, termination, errors, stopping the cooperator.
@Suite("Cooperator: time-sliced ticks over many tasks")
struct CooperatorTests {
    @Test func eachTickTakesOneStepFromEachTaskInTurn() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock, steps: 100)
        let log = Log()
        let a = cooperator.coiterate(counting("a", 2, into: log))
        let b = cooperator.coiterate(counting("b", 3, into: log))
        #expect(log.entries.isEmpty)
        #expect(clock.pendingCalls.map(\.time) == [1])
        try clock.advance(1)
        // One tick goes round and round until the tasks are done (the predicate allows 100 steps).
        #expect(log.entries == ["a", "b", "a", "b", "b"])
        #expect(successResultOf(a) != nil)
        #expect(successResultOf(b) != nil)
        #expect(clock.pendingCalls.isEmpty)
        #expect(!cooperator.hasPendingTick)
    }

    @Test func theTerminationPredicateEndsATickAndTheNextOneContinuesTheRound() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock, steps: 2)
        let log = Log()
        let a = cooperator.coiterate(counting("a", 3, into: log))
        cooperator.coiterate(counting("b", 3, into: log))
        cooperator.coiterate(counting("c", 3, into: log))
        try clock.advance(1)
        #expect(log.entries == ["a", "b"])
        try clock.advance(1)
        #expect(log.entries == ["a", "b", "c", "a"])
        try clock.advance(1)
        #expect(log.entries == ["a", "b", "c", "a", "b", "c"])
        assertNoResult(a)
        try clock.pump([1, 1, 1, 1])
        #expect(log.entries.count == 9)
        // The step that finds a task exhausted counts against the predicate too.
        _ = successResultOf(a)
    }

    @Test func aTaskWithVeryManyStepsYieldsTheClockEveryTick() throws {
        // Twisted's testResourceExhaustion: a task that never ends gets `steps` steps per tick.
        let clock = TestClock()
        let cooperator = makeCooperator(clock, steps: 5)
        var calls = 0
        let task = cooperator.cooperate { () -> CooperativeStep in
            calls += 1
            return .more
        }
        for tick in 1...4 {
            try clock.advance(1)
            #expect(calls == 5 * tick)
        }
        try task.stop()
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func theDefaultTimeSliceRunsAtLeastOneStepAndStopsWhenTheSliceIsUsed() throws {
        let clock = TestClock()
        let zero = Cooperator(clock: clock, tickDelay: 1, terminationPredicate: Cooperator.timeSlice(.zero))
        let log = Log()
        zero.coiterate(counting("z", 3, into: log))
        try clock.advance(1)
        #expect(log.entries == ["z"])

        let long = Cooperator(clock: clock, tickDelay: 1, terminationPredicate: Cooperator.timeSlice(.seconds(60)))
        let done = long.coiterate(counting("l", 1000, into: log))
        try clock.advance(1)
        #expect(log.entries.count == 1 + 1000 + 1)  // z's second step ran in the same advance
        _ = successResultOf(done)
    }

    @Test func theDefaultTickDelayIsTinyAndTicksRunOnTheClock() throws {
        let clock = TestClock()
        let cooperator = Cooperator(clock: clock)
        let log = Log()
        let done = cooperator.coiterate(counting("x", 3, into: log))
        #expect(clock.pendingCalls.count == 1)
        #expect(clock.pendingCalls.first.map { $0.time > 0 && $0.time < 1e-6 } == true)
        try clock.advance(1)
        #expect(log.entries == ["x", "x", "x"])
        _ = successResultOf(done)
    }

    @Test func noTickIsPendingWhileThereAreNoTasks() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock)
        #expect(clock.pendingCalls.isEmpty)
        let task = cooperator.cooperate { .more }
        #expect(clock.pendingCalls.count == 1)
        try task.pause()
        #expect(clock.pendingCalls.isEmpty)
        try task.resume()
        #expect(clock.pendingCalls.count == 1)
        try task.stop()
        #expect(clock.pendingCalls.isEmpty)
        #expect(!cooperator.hasPendingTick)
    }

    @Test func coiteratingAgainFromTheDoneCallbackRuns() throws {
        // Twisted's testCallbackReCoiterate.
        let clock = TestClock()
        let cooperator = makeCooperator(clock)
        let log = Log()
        var second: Deferred<Void>?
        cooperator.coiterate(counting("first", 1, into: log)).addCallback { _ in
            second = cooperator.coiterate(counting("second", 2, into: log))
        }
        try clock.pump([1, 1, 1, 1, 1])
        #expect(log.entries == ["first", "second", "second"])
        #expect(second.map { successResultOf($0) != nil } == true)
    }

    @Test func anErrorFromAStepFailsOnlyThatTask() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock, steps: 10)
        let log = Log()
        var steps = 0
        let failing = cooperator.coiterate { () throws -> CooperativeStep in
            steps += 1
            if steps == 2 { throw TestError(code: 12) }
            return .more
        }
        let healthy = cooperator.coiterate(counting("ok", 4, into: log))
        try clock.advance(1)
        #expect(failureResultOf(failing, as: TestError.self) == TestError(code: 12))
        #expect(steps == 2)
        #expect(log.entries.count == 4)
        _ = successResultOf(healthy)
    }

    @Test func aStepWaitingOnADeferredPausesItsTaskUntilItFires() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock, steps: 10)
        let gate = Deferred<String>()
        var steps = 0
        let task = cooperator.cooperate { () -> CooperativeStep in
            steps += 1
            switch steps {
            case 1: return .wait(for: gate)
            case 2: return .more
            default: return .finished
            }
        }
        try clock.advance(1)
        #expect(steps == 1)
        #expect(task.isPaused)
        #expect(clock.pendingCalls.isEmpty)
        try gate.callback("consumed")
        #expect(!task.isPaused)
        try clock.advance(1)
        #expect(steps == 3)
        _ = successResultOf(task.whenDone())
    }

    @Test func aDeferredThatFailsLaterFailsTheTaskWithItsFailure() throws {
        // Twisted's testUnexpectedErrorActuallyLater.
        let clock = TestClock()
        let cooperator = makeCooperator(clock)
        let gate = Deferred<Void>()
        let done = cooperator.coiterate { .wait(gate) }
        try clock.advance(1)
        assertNoResult(done)
        try gate.errback(TestError(code: 21))
        #expect(failureResultOf(done, as: TestError.self) == TestError(code: 21))
    }

    @Test func aDeferredThatHasFailedAlreadyFailsTheTaskAtOnce() throws {
        // Twisted's testUnexpectedErrorNotActuallyLater.
        let clock = TestClock()
        let cooperator = makeCooperator(clock)
        let done = cooperator.coiterate { .wait(fail(TestError(code: 22))) }
        try clock.advance(1)
        #expect(failureResultOf(done, as: TestError.self) == TestError(code: 22))
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func iteratorsAreTasksToo() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock, steps: 100)
        let plain = cooperator.coiterate([10, 20, 30].makeIterator())
        let gate = Deferred<Void>()
        let stepped = cooperator.coiterate([CooperativeStep.more, .wait(gate), .more].makeIterator())
        try clock.advance(1)
        _ = successResultOf(plain)
        assertNoResult(stepped)
        try gate.callback()
        try clock.advance(1)
        _ = successResultOf(stepped)
    }

    // MARK: Stopping and starting the cooperator (item 70)

    @Test func stoppingTheCooperatorFailsEveryTaskAndLaterTasksAtOnce() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock)
        let first = cooperator.cooperate { .more }
        let second = cooperator.coiterate { .more }
        try clock.advance(1)
        cooperator.stop()
        #expect(!cooperator.isRunning)
        #expect(failureResultOf(first.whenDone(), SchedulerStopped.self) != nil)
        #expect(failureResultOf(second, SchedulerStopped.self) != nil)
        #expect(clock.pendingCalls.isEmpty)
        #expect(throws: SchedulerStopped()) { try first.pause() }
        #expect(throws: SchedulerStopped()) { try first.stop() }

        var called = false
        let late = cooperator.coiterate { () -> CooperativeStep in
            called = true
            return .more
        }
        #expect(failureResultOf(late, SchedulerStopped.self) != nil)
        try clock.advance(1)
        #expect(!called)
    }

    @Test func aTaskPausedWhenTheCooperatorStopsEndsWhenResumed() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock)
        let task = cooperator.cooperate { .more }
        try task.pause()
        cooperator.stop()
        assertNoResult(task.whenDone())
        try task.resume()
        #expect(failureResultOf(task.whenDone(), SchedulerStopped.self) != nil)
    }

    @Test func aCooperatorNotStartedHoldsItsTasksUntilStart() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock, started: false)
        #expect(!cooperator.isRunning)
        let log = Log()
        let done = cooperator.coiterate(counting("held", 1, into: log))
        #expect(clock.pendingCalls.isEmpty)
        try clock.advance(5)
        #expect(log.entries.isEmpty)
        cooperator.start()
        #expect(cooperator.isRunning)
        try clock.pump([1, 1])
        #expect(log.entries == ["held"])
        _ = successResultOf(done)
        cooperator.stop()
        #expect(!cooperator.isRunning)
        cooperator.start()
        #expect(cooperator.isRunning)
        let again = cooperator.coiterate(counting("again", 1, into: log))
        try clock.pump([1, 1])
        _ = successResultOf(again)
    }

    @Test func stoppingTheCooperatorFromAStepEndsTheTick() throws {
        let clock = TestClock()
        let cooperator = makeCooperator(clock, steps: 100)
        var otherSteps = 0
        let stopping = cooperator.coiterate { () -> CooperativeStep in
            cooperator.stop()
            return .more
        }
        let other = cooperator.coiterate { () -> CooperativeStep in
            otherSteps += 1
            return .more
        }
        try clock.advance(1)
        #expect(otherSteps == 0)
        #expect(failureResultOf(stopping, SchedulerStopped.self) != nil)
        #expect(failureResultOf(other, SchedulerStopped.self) != nil)
        #expect(clock.pendingCalls.isEmpty)
    }
}
