import Testing
import TwistCore
import TwistTesting

/// Spec §4 item 47: a LoopingCall as a service, on a TestClock.
@Suite struct TimerServiceTests {
    let clock = TestClock()

    @Test func callsAtOnceThenEveryIntervalWhileRunning() throws {
        var calls: [Double] = []
        let service = TimerService(interval: 5, clock: clock) { [clock] in calls.append(clock.seconds()) }
        try service.startService()
        try clock.pump([5, 5])
        #expect(calls == [0, 5, 10])
        #expect(service.stopService()?.hasFired == true)
        #expect(!service.isRunning)
        try clock.advance(20)
        #expect(calls == [0, 5, 10])
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func aFailingCallIsLoggedAndEndsTheLoopButTheServiceRunsUntilStopped() throws {
        let capture = LogCapture()
        var calls = 0
        let service = TimerService(interval: 5, clock: clock, name: "tick", logger: capture.logger()) {
            calls += 1
            if calls == 2 { throw Boom() }
        }
        try service.startService()
        try clock.pump([5, 5, 5])
        #expect(calls == 2)
        #expect(service.isRunning)
        #expect(capture.records.contains { $0.level == .error && $0.message.contains("TimerService \"tick\"") })
        #expect(service.stopService()?.hasFired == true)
        #expect(!service.isRunning)
    }

    @Test func stopWaitsForACallInProgress() throws {
        var pending: Deferred<Void>?
        let service = TimerService(interval: 1, clock: clock, waitingFor: { () -> Deferred<Void> in
            let call = Deferred<Void>()
            pending = call
            return call
        })
        try service.startService()
        let stopped = try #require(service.stopService())
        #expect(!stopped.hasFired && service.isRunning)
        try pending!.callback(())
        #expect(stopped.hasFired && !service.isRunning)
    }

    @Test func canBeStartedAgain() throws {
        var calls = 0
        let service = TimerService(interval: 2, clock: clock) { calls += 1 }
        try service.startService()
        _ = service.stopService()
        try service.startService()
        #expect(calls == 2)
        try clock.advance(2)
        #expect(calls == 3)
        _ = service.stopService()
    }

    @Test func stopBeforeStartHasNothingToWaitFor() {
        let service = TimerService(interval: 1, clock: clock) {}
        #expect(service.stopService() == nil)
    }
}
