import Testing
@testable import Twist
import TwistTesting
import TwistTestSupport

/// An actor of the program's own that shares the reactor's isolation.
actor ReactorBoundCounter {
    let reactor: Reactor
    private(set) var count = 0

    init(reactor: Reactor) { self.reactor = reactor }

    nonisolated var unownedExecutor: UnownedSerialExecutor { reactor.unownedExecutor }

    func increment() -> Bool {
        count += 1
        return reactor.isInReactorThread
    }
}

/// Leaves the reactor: runs on the global concurrent executor.
@concurrent func offTheReactor() async -> Bool {
    Reactor.current == nil
}

/// The reactor as a Swift Concurrency executor.
@Suite(.timeLimit(.minutes(1))) struct ReactorExecutorTests {
    /// Records, at every step, whether the code ran on the reactor thread.
    static func stepsOnTheReactor(_ reactor: isolated Reactor) async -> [Bool] {
        var onReactor = [reactor.isInReactorThread]
        await Task.yield()
        onReactor.append(reactor.isInReactorThread)
        try? await Task.sleep(for: .milliseconds(2))
        onReactor.append(reactor.isInReactorThread)
        let wasOff = await offTheReactor()
        onReactor.append(wasOff)
        onReactor.append(reactor.isInReactorThread)
        return onReactor
    }

    @Test func isolatedReactorCodeRunsOnTheReactorThreadBeforeAndAfterEveryAwait() async {
        let reactor = Reactor()
        let finished = startReactorThread(reactor)
        let steps = await Self.stepsOnTheReactor(reactor)
        stopFromOutside(reactor)
        let outcome = await finished.value
        #expect(!outcome.timedOut)
        #expect(steps == [true, true, true, true, true])
    }

    @Test func aJobEnqueuedFromAnotherThreadWakesASleepingReactor() async throws {
        let reactor = Reactor()
        let finished = startReactorThread(reactor, timeout: 30)
        try await Task.sleep(for: .milliseconds(50))  // the loop is asleep in epoll
        let asked = ContinuousClock.now
        let (ranThere, ranAt) = await Self.checkAndTime(reactor)
        // Measured where the job ran, not when this task resumed (which waits for a pool thread).
        #expect(ranAt - asked < .seconds(5))
        stopFromOutside(reactor)
        _ = await finished.value
        #expect(ranThere)
    }

    /// Whether the job ran on the reactor thread, and when.
    static func checkAndTime(_ reactor: isolated Reactor) -> (Bool, ContinuousClock.Instant) {
        (reactor.isInReactorThread, ContinuousClock.now)
    }

    @Test func callsBetweenActorsOnTheReactorExecutorStayInline() async {
        let reactor = Reactor()
        let counter = ReactorBoundCounter(reactor: reactor)
        let finished = startReactorThread(reactor)
        let result = await Self.callCounter(counter, times: 1_000, on: reactor)
        stopFromOutside(reactor)
        _ = await finished.value
        #expect(result.allOnReactor)
        #expect(result.finalCount == 1_000)
        // Switching between actors that share one executor needs no enqueue at all.
        #expect(result.localEnqueues < 10)
    }

    static func callCounter(
        _ counter: ReactorBoundCounter, times: Int, on reactor: isolated Reactor
    ) async -> (allOnReactor: Bool, localEnqueues: Int, finalCount: Int) {
        let before = reactor.core.localJobsEnqueued
        var allOnReactor = true
        for _ in 0..<times {
            allOnReactor = await counter.increment() && allOnReactor
        }
        return (allOnReactor, reactor.core.localJobsEnqueued - before, await counter.count)
    }

    @Test func assumeIsolatedWorksFromSynchronousReactorCallbacks() async {
        let reactor = Reactor()
        let worked = Shared(false)
        reactor.callWhenRunning {
            worked.value = reactor.assumeIsolated { $0.isInReactorThread }
            try reactor.stop()
        }
        await runReactor(reactor)
        #expect(worked.value)
    }

    @Test func tasksStartedOnTheReactorCanStopIt() async {
        let reactor = Reactor()
        reactor.callWhenRunning {
            Task { [reactor] in
                await Self.stopAfterAwait(reactor)
            }
        }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
    }

    static func stopAfterAwait(_ reactor: isolated Reactor) async {
        try? await Task.sleep(for: .milliseconds(1))
        try? reactor.stop()
    }
}

/// Task-executor preference: resumptions stay on the reactor thread without a thread hop.
@Suite(.timeLimit(.minutes(1))) struct ReactorTaskExecutorTests {
    static func suspendAndResume(_ reactor: isolated Reactor) async -> (onReactor: Bool, localEnqueues: Int) {
        let before = reactor.core.localJobsEnqueued
        var onReactor = true
        for _ in 0..<10 {
            await Task.yield()
            await withCheckedContinuation(isolation: reactor) { (resumed: CheckedContinuation<Void, Never>) in
                reactor.callLater(0) { resumed.resume() }
            }
            onReactor = onReactor && reactor.isInReactorThread
        }
        return (onReactor, reactor.core.localJobsEnqueued - before)
    }

    @Test func aTaskPreferringTheReactorIsResumedThroughItsLocalQueue() async {
        let result = Shared<String>("")
        let stopped = await runReactor { reactor in
            Task(executorPreference: reactor) { [reactor] in
                let outcome = await Self.suspendAndResume(reactor)
                result.value = "\(outcome.onReactor) \(outcome.localEnqueues >= 20)"
                await ReactorExecutorTests.stopAfterAwait(reactor)
            }
        }
        #expect(stopped)
        // Every resumption was queued on the reactor thread itself (20 suspensions, ≥ 20 local jobs).
        #expect(result.value == "true true")
    }
}
