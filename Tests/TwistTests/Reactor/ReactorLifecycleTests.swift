import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// run/stop and their errors, startup and shutdown triggers, callWhenRunning.
@Suite(.timeLimit(.minutes(1))) struct ReactorLifecycleTests {
    @Test func runReturnsAfterStopAndTheShutdownTriggersRanInPhaseOrder() async throws {
        let reactor = Reactor()
        let order = Shared<[String]>([])
        reactor.addSystemEventTrigger(.after, .shutdown) { order.mutate { $0.append("after") } }
        reactor.addSystemEventTrigger(.during, .shutdown) { order.mutate { $0.append("during") } }
        reactor.addSystemEventTrigger(.before, .shutdown) { order.mutate { $0.append("before") } }
        reactor.callWhenRunning {
            try reactor.stop()
            order.mutate { $0.append("stop returned") }
        }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(outcome.runError == nil)
        // stop() only asks: the triggers run later, from the loop.
        #expect(order.value == ["stop returned", "before", "during", "after"])
        #expect(!reactor.isRunning)
    }

    @Test func stoppingAReactorThatNeverRanThrowsReactorNotRunning() {
        let reactor = Reactor()
        #expect(throws: ReactorNotRunning.self) { try reactor.stop() }
    }

    @Test func stoppingTwiceThrowsReactorNotRunning() async {
        let reactor = Reactor()
        let secondStop = Shared<(any Error)?>(nil)
        reactor.callWhenRunning {
            try reactor.stop()
            do { try reactor.stop() } catch { secondStop.value = error }
        }
        await runReactor(reactor)
        #expect(secondStop.value is ReactorNotRunning)
        #expect(throws: ReactorNotRunning.self) { try reactor.stop() }
    }

    @Test func runningARunningReactorThrowsReactorAlreadyRunning() async {
        let reactor = Reactor()
        let nestedRun = Shared<(any Error)?>(nil)
        reactor.callWhenRunning {
            do { try reactor.run() } catch { nestedRun.value = error }
            try reactor.stop()
        }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(nestedRun.value is ReactorAlreadyRunning)
    }

    @Test func aStoppedReactorCannotRunAgain() async {
        let reactor = Reactor()
        reactor.callWhenRunning { try reactor.stop() }
        await runReactor(reactor)
        let second = await runReactor(reactor)
        #expect(second.runError is ReactorNotRestartable)
    }

    @Test func callWhenRunningQueuesInOrderBeforeRunAndCallsAtOnceWhileRunning() async {
        let reactor = Reactor()
        let order = Shared<[String]>([])
        let firstHandle = reactor.callWhenRunning { order.mutate { $0.append("first") } }
        reactor.callWhenRunning {
            order.mutate { $0.append("second") }
            let handle = reactor.callWhenRunning { order.mutate { $0.append("immediate") } }
            order.mutate { $0.append(handle == nil ? "no handle" : "handle") }
            try reactor.stop()
        }
        await runReactor(reactor)
        #expect(firstHandle != nil)
        #expect(order.value == ["first", "second", "immediate", "no handle"])
    }

    @Test func startupTriggersSeeTheReactorRunningOnlyFromTheDuringPhase() async {
        let reactor = Reactor()
        let seen = Shared<[String: Bool]>([:])
        reactor.addSystemEventTrigger(.before, .startup) { seen.mutate { $0["before"] = reactor.isRunning } }
        reactor.addSystemEventTrigger(.during, .startup) { seen.mutate { $0["during"] = reactor.isRunning } }
        reactor.addSystemEventTrigger(.after, .startup) { seen.mutate { $0["after"] = reactor.isRunning } }
        reactor.callWhenRunning { try reactor.stop() }
        await runReactor(reactor)
        #expect(seen.value == ["before": false, "during": true, "after": true])
    }

    @Test func aBeforeShutdownTriggerDelaysShutdownUntilItsWorkCompletes() async {
        let reactor = Reactor()
        let order = Shared<[String]>([])
        reactor.addSystemEventTrigger(.before, .shutdown, waitingFor: {
            let work = TriggerCompletionSource()
            order.mutate { $0.append("flush started") }
            // The loop keeps serving while shutdown waits: this timer completes the work.
            reactor.callLater(0.02) {
                order.mutate { $0.append("flush done") }
                work.complete()
            }
            return work
        })
        reactor.addSystemEventTrigger(.during, .shutdown) { order.mutate { $0.append("during") } }
        reactor.callWhenRunning { try reactor.stop() }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(order.value == ["flush started", "flush done", "during"])
    }

    @Test func aRemovedShutdownTriggerDoesNotRun() async throws {
        let reactor = Reactor()
        let ran = Shared(false)
        let handle = reactor.addSystemEventTrigger(.during, .shutdown) { ran.value = true }
        try reactor.removeSystemEventTrigger(handle)
        #expect(throws: UnknownSystemEventTrigger.self) { try reactor.removeSystemEventTrigger(handle) }
        reactor.callWhenRunning { try reactor.stop() }
        await runReactor(reactor)
        #expect(!ran.value)
    }

    @Test func aThrowingShutdownTriggerIsLoggedAndShutdownCompletes() async {
        struct Boom: Error {}
        let capture = LogCapture()
        let reactor = Reactor(logger: capture.logger())
        let afterRan = Shared(false)
        reactor.addSystemEventTrigger(.during, .shutdown) { throw Boom() }
        reactor.addSystemEventTrigger(.after, .shutdown) { afterRan.value = true }
        reactor.callWhenRunning { try reactor.stop() }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(afterRan.value)
        #expect(capture.records.contains { $0.level == .error && $0.metadata["error"] == "Boom()" })
    }

    @Test func currentNamesTheReactorRunningOnThisThread() async {
        let reactor = Reactor()
        let sawItself = Shared(false)
        #expect(Reactor.current == nil)
        reactor.callWhenRunning {
            sawItself.value = Reactor.current === reactor && reactor.isInReactorThread
            try reactor.stop()
        }
        await runReactor(reactor)
        #expect(sawItself.value)
        #expect(!reactor.isInReactorThread)
    }
}

/// crash() and iterate(delay:), Twisted's ways around the normal lifecycle.
@Suite(.timeLimit(.minutes(1))) struct ReactorCrashAndIterateTests {
    @Test func crashEndsRunWithoutShutdownTriggersAndTheReactorCanRunAgain() async {
        let reactor = Reactor()
        let events = Shared<[String]>([])
        reactor.addSystemEventTrigger(.during, .shutdown) { events.mutate { $0.append("shutdown") } }
        reactor.callWhenRunning {
            events.mutate { $0.append("first run") }
            reactor.crash()
        }
        let first = await runReactor(reactor)
        #expect(!first.timedOut)
        #expect(!reactor.isRunning)
        #expect(events.value == ["first run"])

        reactor.callWhenRunning {
            events.mutate { $0.append("second run") }
            try reactor.stop()
        }
        let second = await runReactor(reactor)
        #expect(!second.timedOut)
        #expect(second.runError == nil)
        #expect(events.value == ["first run", "second run", "shutdown"])
    }

    @Test func iterateRunsWhatIsDueWithoutRunningTheReactor() {
        let reactor = Reactor()
        var ran = false
        reactor.callLater(0) { ran = true }
        reactor.iterate()
        #expect(ran)
        #expect(!reactor.isRunning)
    }

    @Test func iterateWaitsNoLongerThanItsDelay() {
        let reactor = Reactor()
        let later = reactor.callLater(30) {}
        let started = ContinuousClock.now
        reactor.iterate(delay: 0.02)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(19))
        #expect(waited < .seconds(10))
        #expect(later.isActive)
        #expect(reactor.pendingCalls.count == 1)
    }

    @Test func iterateRunsCallsFromOtherThreads() {
        let reactor = Reactor()
        let ran = Shared(false)
        reactor.callFromThread { ran.value = true }
        reactor.iterate(delay: 1)
        #expect(ran.value)
    }
}
