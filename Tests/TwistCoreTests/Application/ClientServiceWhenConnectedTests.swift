import Testing
import TwistCore
import TwistTesting

@Suite("ClientService: whenConnected (spec §4 item 50)")
struct ClientServiceWhenConnectedTests {
    @Test func whileConnectedItHasFiredWithTheApplicationsProtocol() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.acceptLatest()
        let connected = h.whenConnected()
        let app = try #require(connected.successValue)
        #expect(app === h.factory.built.first)
        #expect(app is RecordingProtocol)  // not the service's proxy, nor the endpoint's
    }

    @Test func beforeAConnectionItFiresWithTheNextOne() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let first = h.whenConnected()
        try h.failLatest()
        let second = h.whenConnected()
        #expect(!first.hasFired && !second.hasFired)  // no limit: failures do not end the wait
        try h.clock.advance(2)
        try h.acceptLatest()
        #expect(first.successValue === h.factory.built.first)
        #expect(second.successValue === h.factory.built.first)
    }

    @Test func afterALostConnectionItWaitsForTheNextOne() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.acceptLatest()?.lose()
        let next = h.whenConnected()
        #expect(!next.hasFired)
        try h.clock.advance(2)
        try h.acceptLatest()
        #expect(next.successValue === h.factory.built.last)
        #expect(h.factory.built.count == 2)
    }

    @Test func withFailAfterFailuresItFailsWithTheKthConsecutiveError() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let patient = h.whenConnected(failAfterFailures: 2)
        let unlimited = h.whenConnected()
        try h.failLatest(ConnectionRefusedError())
        #expect(!patient.hasFired)
        let impatient = h.whenConnected(failAfterFailures: 1)
        try h.clock.advance(2)
        try h.failLatest(ConnectTimeoutError())
        #expect(patient.failure?.check(ConnectTimeoutError.self) != nil)
        #expect(impatient.failure?.check(ConnectTimeoutError.self) != nil)
        #expect(!unlimited.hasFired)
        #expect(h.service.isRunning)
        try h.clock.advance(5)
        #expect(h.attempts == 3)  // the service goes on retrying
        try h.acceptLatest()
        #expect(unlimited.successValue === h.factory.built.first)
    }

    @Test func stopFailsEveryPendingOneWithCancelledError() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let first = h.whenConnected()
        let limited = h.whenConnected(failAfterFailures: 3)
        _ = h.service.stopService()
        #expect(first.failure?.check(CancelledError.self) != nil)
        #expect(limited.failure?.check(CancelledError.self) != nil)
    }

    @Test func stopWhileWaitingToRetryFailsThemToo() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.failLatest()
        let pending = h.whenConnected()
        _ = h.service.stopService()
        #expect(pending.failure?.check(CancelledError.self) != nil)
    }

    @Test func onAStoppedOrStoppingServiceItFailsAtOnce() throws {
        let h = ClientServiceHarness()
        #expect(h.whenConnected().failure?.check(CancelledError.self) != nil)
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        _ = h.service.stopService()
        #expect(h.whenConnected().failure?.check(CancelledError.self) != nil)  // still disconnecting
        connection.lose()
        #expect(h.whenConnected().failure?.check(CancelledError.self) != nil)
    }

    @Test func afterARestartItFiresWithTheNewConnection() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let old = try #require(try h.acceptLatest())
        let stopping = try #require(h.service.stopService())
        try h.service.startService()  // restarting: waits for the old connection to go
        let next = h.whenConnected()
        #expect(!next.hasFired)
        old.lose()
        #expect(stopping.hasFired)
        #expect(!next.hasFired)
        try h.acceptLatest()
        #expect(next.successValue === h.factory.built.last)
        #expect(h.factory.built.count == 2)
    }

    @Test func cancellingOneWithdrawsItAndLeavesTheOthers() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let withdrawn = h.whenConnected(failAfterFailures: 1)
        let kept = h.whenConnected()
        withdrawn.cancel()
        #expect(withdrawn.failure?.check(CancelledError.self) != nil)
        try h.failLatest()  // the withdrawn one is not failed a second time
        try h.clock.advance(2)
        try h.acceptLatest()
        #expect(kept.successValue === h.factory.built.first)
    }

    @Test func askedFromTheApplicationsConnectionLostItWaitsForTheNextConnection() throws {
        let h = ClientServiceHarness()
        var next: Deferred<Protocol>?
        h.factory.onConnectionLost = { next = h.whenConnected() }
        try h.service.startService()
        try h.acceptLatest()?.lose()
        let asked = try #require(next)
        #expect(!asked.hasFired)
        try h.clock.advance(2)
        try h.acceptLatest()
        #expect(h.factory.built.count == 2)
        #expect(asked.successValue === h.factory.built.last)
    }

    @Test func aCallbackThatStopsTheServiceClosesTheConnectionItWasGiven() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        var stopped: Deferred<Void>?
        let first = h.service.whenConnected().addCallback { _ in stopped = h.service.stopService() }
        let second = h.whenConnected()
        let connection = try #require(try h.acceptLatest())
        #expect(first.hasFired)
        #expect(second.successValue === h.factory.built.first)  // connected when the callbacks ran
        #expect(connection.transport.isDisconnecting)
        #expect(stopped?.hasFired == false)
        connection.lose(ConnectionDone())
        #expect(stopped?.hasFired == true)
        #expect(h.clock.pendingCalls.isEmpty)
    }

    @Test @DeferredTestActor
    func theAsyncFormWaitsForTheNextConnection() async throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let waiting = Task { @DeferredTestActor in
            let app = try await h.service.whenConnected()
            return ObjectIdentifier(app)
        }
        await Task.yield()
        try h.acceptLatest()
        let app = try #require(h.factory.built.first)
        #expect(try await waiting.value == ObjectIdentifier(app))
        let again = try await h.service.whenConnected()  // connected: returns without suspending
        #expect(again === app)
    }

    @Test @DeferredTestActor
    func theAsyncFormThrowsCancelledErrorWhenTheServiceStops() async throws {
        let h = ClientServiceHarness()
        await #expect(throws: CancelledError.self) { _ = try await h.service.whenConnected() }
        try h.service.startService()
        let waiting = Task { @DeferredTestActor in _ = try await h.service.whenConnected() }
        await Task.yield()
        _ = h.service.stopService()
        await #expect(throws: CancelledError.self) { try await waiting.value }
    }

    @Test @DeferredTestActor
    func theAsyncFormThrowsTheKthErrorWithFailAfterFailures() async throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let waiting = Task { @DeferredTestActor in _ = try await h.service.whenConnected(failAfterFailures: 1) }
        await Task.yield()
        try h.failLatest()
        await #expect(throws: ConnectionRefusedError.self) { try await waiting.value }
    }

    @Test @DeferredTestActor
    func cancellingTheAwaitingTaskWithdrawsTheWait() async throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let waiting = Task { @DeferredTestActor in _ = try await h.service.whenConnected(failAfterFailures: 1) }
        await Task.yield()
        waiting.cancel()
        await #expect(throws: CancelledError.self) { try await waiting.value }
        try h.failLatest()  // nothing left to fail: the withdrawn wait is gone
        try h.clock.advance(2)
        try h.acceptLatest()
        #expect(h.whenConnected().hasFired)
    }
}
