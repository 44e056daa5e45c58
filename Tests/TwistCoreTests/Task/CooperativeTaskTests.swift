import Testing
import TwistCore
import TwistTesting

/// Spec §6 items 67 and 69: a task's life — whenDone, pause/resume nesting, stop, and the errors
/// after its end.
@Suite("CooperativeTask: pause, resume, stop and whenDone")
struct CooperativeTaskTests {
    /// A cooperator with one-second ticks of one step each, a task counting its steps, and a way to
    /// end the task's work.
    private final class Fixture {
        let clock = TestClock()
        let cooperator: Cooperator
        var steps = 0
        var nextStep = CooperativeStep.more
        var task: CooperativeTask!

        init() {
            cooperator = Cooperator(clock: clock, tickDelay: 1, terminationPredicate: Cooperator.steps(1))
            task = cooperator.cooperate { [unowned self] in
                steps += 1
                return nextStep
            }
        }

        func finishNextStep() { nextStep = .finished }
    }

    @Test func whenDoneGivesANewDeferredPerCallAndFiresThemAll() throws {
        let fixture = Fixture()
        let first = fixture.task.whenDone()
        let second = fixture.task.whenDone()
        #expect(!first.isSame(as: second))
        try fixture.clock.advance(1)
        assertNoResult(first)
        fixture.finishNextStep()
        try fixture.clock.advance(1)
        #expect(fixture.task.isFinished)
        _ = successResultOf(first)
        _ = successResultOf(second)
        // Asked after the end: a Deferred of its own that has fired already.
        let late = fixture.task.whenDone()
        #expect(!late.isSame(as: first))
        _ = successResultOf(late)
    }

    @Test func pauseStopsTheStepsAndResumeRestartsThem() throws {
        let fixture = Fixture()
        try fixture.clock.advance(1)
        #expect(fixture.steps == 1)
        try fixture.task.pause()
        #expect(fixture.task.isPaused)
        try fixture.clock.pump([1, 1, 1])
        #expect(fixture.steps == 1)
        try fixture.task.resume()
        try fixture.clock.advance(1)
        #expect(fixture.steps == 2)
    }

    @Test func resumeWithoutPauseThrowsNotPaused() throws {
        let fixture = Fixture()
        #expect(throws: NotPaused()) { try fixture.task.resume() }
        try fixture.task.pause()
        try fixture.task.resume()
        #expect(throws: NotPaused()) { try fixture.task.resume() }
    }

    @Test func pausesNest() throws {
        let fixture = Fixture()
        try fixture.task.pause()
        try fixture.task.pause()
        try fixture.task.resume()
        try fixture.clock.pump([1, 1])
        #expect(fixture.steps == 0)
        #expect(fixture.task.isPaused)
        try fixture.task.resume()
        try fixture.clock.advance(1)
        #expect(fixture.steps == 1)
    }

    @Test func aTaskPausedWhileWaitingStaysPausedWhenTheDeferredFires() throws {
        let fixture = Fixture()
        let gate = Deferred<Void>()
        fixture.nextStep = .wait(gate)
        try fixture.clock.advance(1)
        fixture.nextStep = .more
        try fixture.task.pause()
        try gate.callback()
        #expect(fixture.task.isPaused)
        try fixture.clock.pump([1, 1])
        #expect(fixture.steps == 1)
        try fixture.task.resume()
        try fixture.clock.advance(1)
        #expect(fixture.steps == 2)
    }

    @Test func stopFailsWhenDoneWithTaskStoppedAndEndsTheSteps() throws {
        let fixture = Fixture()
        let done = fixture.task.whenDone()
        try fixture.clock.advance(1)
        try fixture.task.stop()
        #expect(failureResultOf(done, TaskStopped.self) != nil)
        #expect(fixture.clock.pendingCalls.isEmpty)
        try fixture.clock.pump([1, 1])
        #expect(fixture.steps == 1)
        #expect(throws: TaskStopped()) { try fixture.task.stop() }
        #expect(throws: TaskStopped()) { try fixture.task.pause() }
    }

    @Test func stopFromInsideItsOwnStep() throws {
        let clock = TestClock()
        let cooperator = Cooperator(clock: clock, tickDelay: 1, terminationPredicate: Cooperator.steps(10))
        var steps = 0
        var task: CooperativeTask?
        task = cooperator.cooperate { () throws -> CooperativeStep in
            steps += 1
            try task?.stop()
            return .more
        }
        try clock.advance(1)
        #expect(steps == 1)
        #expect(failureResultOf(task!.whenDone(), TaskStopped.self) != nil)
    }

    @Test func resumingAPausedThenStoppedTaskDoesNothing() throws {
        let fixture = Fixture()
        let done = fixture.task.whenDone()
        try fixture.task.pause()
        try fixture.task.stop()
        try fixture.task.resume()
        try fixture.clock.pump([1, 1])
        #expect(fixture.steps == 0)
        #expect(failureResultOf(done, TaskStopped.self) != nil)
        #expect(throws: NotPaused()) { try fixture.task.resume() }
    }

    @Test func aTaskStoppedWhileWaitingNeverResumes() throws {
        for laterOutcome in [true, false] {
            let fixture = Fixture()
            let gate = Deferred<Void>()
            fixture.nextStep = .wait(gate)
            try fixture.clock.advance(1)
            fixture.nextStep = .more
            try fixture.task.stop()
            if laterOutcome { try gate.callback() } else { try gate.errback(TestError(code: 3)) }
            try fixture.clock.pump([1, 1])
            #expect(fixture.steps == 1)
            #expect(failureResultOf(fixture.task.whenDone(), TaskStopped.self) != nil)
            #expect(fixture.clock.pendingCalls.isEmpty)
        }
    }

    @Test func pauseAndStopAfterTheWorkFinishedThrowTaskDone() throws {
        let fixture = Fixture()
        fixture.finishNextStep()
        try fixture.clock.advance(1)
        #expect(throws: TaskDone()) { try fixture.task.stop() }
        #expect(throws: TaskDone()) { try fixture.task.pause() }
    }

    @Test func pauseAndStopAfterTheWorkFailedThrowTaskFailed() throws {
        let clock = TestClock()
        let cooperator = Cooperator(clock: clock, tickDelay: 1, terminationPredicate: Cooperator.steps(1))
        let task = cooperator.cooperate { throw TestError(code: 5) }
        let done = task.whenDone()
        try clock.advance(1)
        #expect(failureResultOf(done, as: TestError.self) == TestError(code: 5))
        #expect(throws: TaskFailed()) { try task.stop() }
        #expect(throws: TaskFailed()) { try task.pause() }
        do {
            try task.pause()
        } catch {
            #expect(error is any TaskFinished)
            #expect(error is any SchedulerError)
        }
    }

    @Test func stoppingTheCooperatorFromWhenDoneIsSafe() throws {
        // Twisted's test_stopCooperatorReentrancy: the task has left the cooperator before its
        // whenDone callbacks run, so stopping the cooperator there does not end it twice.
        let fixture = Fixture()
        var phases: [String] = []
        fixture.task.whenDone().addCallback { _ in
            phases.append("done")
            fixture.cooperator.stop()
            phases.append("stopped")
        }
        fixture.finishNextStep()
        try fixture.clock.advance(1)
        #expect(phases == ["done", "stopped"])
        #expect(!fixture.cooperator.isRunning)
        #expect(throws: TaskDone()) { try fixture.task.stop() }
    }
}
