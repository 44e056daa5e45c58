import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// Delayed calls on the real libev reactor.
@Suite(.timeLimit(.minutes(1))) struct ReactorTimeTests {
    @Test func delayedCallsRunInDeadlineOrderAndNotEarly() async {
        let reactor = Reactor()
        let start = reactor.seconds()
        let runs = Shared<[(String, Double)]>([])
        reactor.callLater(0.03) { runs.mutate { $0.append(("c", reactor.seconds() - start)) } }
        reactor.callLater(0.01) { runs.mutate { $0.append(("a", reactor.seconds() - start)) } }
        reactor.callLater(0.02) {
            runs.mutate { $0.append(("b", reactor.seconds() - start)) }
        }
        reactor.callLater(0.04) { try reactor.stop() }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(runs.value.map(\.0) == ["a", "b", "c"])
        for ((_, elapsed), expected) in zip(runs.value, [0.01, 0.02, 0.03]) {
            #expect(elapsed >= expected)
        }
    }

    @Test func zeroDelayCallsRunInTheOrderTheyWereScheduled() async {
        let reactor = Reactor()
        let order = Shared<[Int]>([])
        for index in 0..<1_000 {
            reactor.callLater(0) { order.mutate { $0.append(index) } }
        }
        reactor.callLater(0) { try reactor.stop() }
        await runReactor(reactor)
        #expect(order.value == Array(0..<1_000))
    }

    @Test func aZeroDelayCallScheduledByARunningCallWaitsForTheNextPass() async {
        let reactor = Reactor()
        let order = Shared<[String]>([])
        reactor.callWhenRunning {
            reactor.callLater(0) {
                order.mutate { $0.append("A") }
                reactor.callLater(0) {
                    order.mutate { $0.append("B") }
                    try reactor.stop()
                }
            }
            reactor.callLater(0) { order.mutate { $0.append("C") } }
        }
        await runReactor(reactor)
        #expect(order.value == ["A", "C", "B"])
    }

    @Test func cancelResetAndDelayWorkOnTheRealReactor() async {
        let reactor = Reactor()
        let order = Shared<[String]>([])
        let errors = Shared<[String]>([])
        reactor.callWhenRunning {
            let cancelled = reactor.callLater(0.01) { order.mutate { $0.append("cancelled") } }
            let pushed = reactor.callLater(0.01) { order.mutate { $0.append("pushed") } }
            let pulled = reactor.callLater(10) { order.mutate { $0.append("pulled") } }
            reactor.callLater(0.02) { order.mutate { $0.append("middle") } }
            do {
                try cancelled.cancel()
                try pushed.delay(by: 0.02)
                try pulled.reset(to: 0.005)
            } catch {
                errors.mutate { $0.append("\(error)") }
            }
            reactor.callLater(0.05) {
                do { try cancelled.cancel() } catch { errors.mutate { $0.append("\(type(of: error))") } }
                do { try pushed.cancel() } catch { errors.mutate { $0.append("\(type(of: error))") } }
                try reactor.stop()
            }
        }
        await runReactor(reactor)
        #expect(order.value == ["pulled", "middle", "pushed"])
        #expect(errors.value == ["AlreadyCancelled", "AlreadyCalled"])
    }

    @Test func anErrorThrownByADelayedCallIsLoggedAndTheReactorKeepsRunning() async {
        struct Boom: Error {}
        let capture = LogCapture()
        let reactor = Reactor(logger: capture.logger())
        let laterRan = Shared(false)
        reactor.callLater(0) { throw Boom() }
        reactor.callLater(0.01) {
            laterRan.value = true
            try reactor.stop()
        }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(laterRan.value)
        let errors = capture.records.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.metadata["error"] == "Boom()")
    }

    @Test func aCallFarInTheFutureDoesNotDisturbTheLoop() async {
        let reactor = Reactor()
        let distant = reactor.callLater(Double(1 << 62)) {}
        let ran = Shared(false)
        let distantStillPending = Shared(false)
        reactor.callLater(0.01) {
            ran.value = true
            distantStillPending.value = distant.isActive
            try reactor.stop()
        }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(ran.value)
        #expect(distantStillPending.value)
    }

    @Test func callsStillPendingWhenRunReturnsAreCancelledAndReleased() async {
        final class Payload {}
        let reactor = Reactor()
        weak var released: Payload?
        let pending: DelayedCall
        do {
            let payload = Payload()
            released = payload
            pending = reactor.callLater(60) { _ = payload }
        }
        reactor.callWhenRunning { try reactor.stop() }
        await runReactor(reactor)
        #expect(pending.isCancelled)
        #expect(released == nil)
    }

    @Test func pendingCallsListsWhatIsScheduled() throws {
        let reactor = Reactor()
        let later = reactor.callLater(2) {}
        let sooner = reactor.callLater(1) {}
        try reactor.callLater(3) {}.cancel()
        #expect(reactor.pendingCalls.map(ObjectIdentifier.init) == [sooner, later].map(ObjectIdentifier.init))
    }

    @Test func aNegativeDelayIsRejected() async {
        await #expect(processExitsWith: .failure) {
            _ = Reactor().callLater(-0.5) {}
        }
    }
}
