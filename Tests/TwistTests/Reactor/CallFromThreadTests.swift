import Foundation
import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// The hand-off from other threads into the reactor.
@Suite(.timeLimit(.minutes(1))) struct CallFromThreadTests {
    @Test func everyCallFromEightThreadsRunsOnceInPerThreadOrder() async {
        let threads = 8
        let callsPerThread = 10_000
        let reactor = Reactor()
        // Only the reactor thread touches this; read after the reactor stopped.
        let seen = Shared([[Int]](repeating: [], count: threads))
        let onReactorThread = Shared(true)
        let total = Shared(0)
        let finished = startReactorThread(reactor)
        for thread in 0..<threads {
            Thread {
                for call in 0..<callsPerThread {
                    reactor.callFromThread {
                        if !reactor.isInReactorThread { onReactorThread.value = false }
                        seen.mutate { $0[thread].append(call) }
                        total.value += 1
                        if total.value == threads * callsPerThread { try reactor.stop() }
                    }
                }
            }.start()
        }
        let outcome = await finished.value
        #expect(!outcome.timedOut)
        #expect(onReactorThread.value)
        for sequence in seen.value {
            #expect(sequence == Array(0..<callsPerThread))
        }
    }

    @Test func callsMadeBeforeRunRunOnceTheReactorRuns() async {
        let reactor = Reactor()
        let ran = Shared<[Int]>([])
        reactor.callFromThread { ran.mutate { $0.append(1) } }
        reactor.callFromThread { ran.mutate { $0.append(2) } }
        reactor.callWhenRunning {
            reactor.callLater(0.01) { try reactor.stop() }
        }
        await runReactor(reactor)
        #expect(ran.value == [1, 2])
    }

    @Test func aCallWakesASleepingReactorPromptly() async throws {
        let reactor = Reactor()
        let finished = startReactorThread(reactor, timeout: 30)
        // Let the reactor go to sleep with nothing to do (no timer: it would sleep for good).
        try await Task.sleep(for: .milliseconds(50))
        let asked = ContinuousClock.now
        let ranAt = Shared<ContinuousClock.Instant?>(nil)
        reactor.callFromThread {
            ranAt.value = ContinuousClock.now
            try reactor.stop()
        }
        let outcome = await finished.value
        #expect(!outcome.timedOut)
        // Generous bound: the point is "not at the watchdog, 30 s later". Measured where the call
        // ran, not when this task resumed (which waits for a pool thread behind other tests).
        let ran = try #require(ranAt.value)
        #expect(ran - asked < .seconds(5))
    }

    @Test func aCallMadeWhileTheQueueDrainsRunsOnALaterPass() async {
        let reactor = Reactor()
        let order = Shared<[String]>([])
        reactor.callWhenRunning {
            reactor.callFromThread {
                order.mutate { $0.append("first") }
                reactor.callFromThread {
                    order.mutate { $0.append("queued while draining") }
                    try reactor.stop()
                }
                // A timer already due runs before the call queued during this drain.
                reactor.callLater(0) { order.mutate { $0.append("timer") } }
            }
        }
        await runReactor(reactor)
        #expect(order.value.first == "first")
        #expect(Set(order.value) == ["first", "queued while draining", "timer"])
    }

    @Test func anErrorThrownByACallIsLogged() async {
        struct Boom: Error {}
        let capture = LogCapture()
        let reactor = Reactor(logger: capture.logger())
        reactor.callFromThread { throw Boom() }
        reactor.callFromThread { try reactor.stop() }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(capture.records.contains { $0.level == .error && $0.metadata["error"] == "Boom()" })
    }
}
