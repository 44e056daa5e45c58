import Testing
import TwistCore
import TwistTesting

@Suite("ClientService: stopping (spec §4 item 51)")
struct ClientServiceStopTests {
    @Test func stopBeforeStartHasFiredAlready() throws {
        let h = ClientServiceHarness()
        let stopped = try #require(h.service.stopService())
        #expect(stopped.hasFired)
        #expect(stopped.currentResult.map { (try? $0.get()) != nil } == true)
        #expect(!h.service.isRunning)
        #expect(h.attempts == 0)
    }

    @Test func stopWhileWaitingToRetryCancelsTheRetryAndHasFiredAlready() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.failLatest()
        #expect(h.clock.pendingCalls.count == 1)
        let stopped = try #require(h.service.stopService())
        #expect(stopped.hasFired)
        #expect(h.clock.pendingCalls.isEmpty)
        try h.clock.advance(100)
        #expect(h.attempts == 1)
    }

    @Test func stopWhileConnectingCancelsTheAttempt() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let connector = try #require(h.reactor.connectCalls.last).connector
        let stopped = try #require(h.service.stopService())
        #expect(connector.wasStopped)
        #expect(stopped.hasFired)  // the endpoint reports the cancelled attempt at once
        #expect(h.clock.pendingCalls.isEmpty)  // a cancelled attempt is not retried
        #expect(h.service.failedAttempts == 0)
        #expect(try h.acceptLatest() == nil)  // a late connection finds no attempt to complete
        try h.clock.advance(100)
        #expect(h.attempts == 1)
    }

    @Test func stopWhileConnectedLosesTheConnectionAndFiresAfterConnectionLost() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        let stopped = try #require(h.service.stopService())
        #expect(connection.transport.isDisconnecting)
        #expect(!stopped.hasFired)
        #expect(!h.service.isRunning)
        connection.lose(ConnectionDone())
        #expect(stopped.hasFired)
        #expect(h.clock.pendingCalls.isEmpty)  // a connection lost while stopping is not retried
        #expect(h.service.failedAttempts == 0)
        try h.clock.advance(100)
        #expect(h.attempts == 1)
    }

    @Test func eachStopWhileDisconnectingFiresWhenTheDisconnectEnds() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        let first = try #require(h.service.stopService())
        let second = try #require(h.service.stopService())
        #expect(!first.isSame(as: second))
        #expect(!first.hasFired && !second.hasFired)
        connection.lose()
        #expect(first.hasFired && second.hasFired)
    }

    @Test func stopOnAStoppedServiceHasFiredAlready() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        _ = h.service.stopService()
        connection.lose()
        let again = try #require(h.service.stopService())
        #expect(again.hasFired)
        #expect(h.clock.pendingCalls.isEmpty)
        #expect(h.attempts == 1)
    }

    @Test func startWhileStoppingReconnectsOnlyAfterTheDisconnect() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        let stopped = try #require(h.service.stopService())
        try h.service.startService()
        #expect(h.service.isRunning)
        #expect(h.attempts == 1)  // waits for the old connection to go
        connection.lose()
        #expect(stopped.hasFired)
        #expect(h.attempts == 2)
        try h.acceptLatest()
        #expect(h.whenConnected().hasFired)
    }

    @Test func stopWhileRestartingStaysStoppedAfterTheDisconnect() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        let first = try #require(h.service.stopService())
        try h.service.startService()
        let second = try #require(h.service.stopService())
        #expect(!h.service.isRunning)
        #expect(!first.hasFired && !second.hasFired)
        connection.lose()
        #expect(first.hasFired && second.hasFired)
        #expect(h.attempts == 1)
        #expect(h.clock.pendingCalls.isEmpty)
    }

    @Test func startWhileStoppingAnAttemptConnectsAgainAtOnce() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        _ = h.service.stopService()  // the attempt is cancelled at once
        try h.service.startService()
        #expect(h.attempts == 2)
        try h.acceptLatest()
        #expect(h.whenConnected().hasFired)
    }

    @Test func aStoppedServiceCanBeStartedAgainWithAFreshFailureCount() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.failLatest()
        #expect(h.service.failedAttempts == 1)
        _ = h.service.stopService()
        try h.service.startService()
        #expect(h.service.failedAttempts == 0)
        #expect(h.attempts == 2)
        try h.failLatest()
        #expect(h.policyCalls == [1, 1])
    }

    @Test func stopFromTheApplicationsConnectionMadeClosesThatConnection() throws {
        let h = ClientServiceHarness()
        var stopped: Deferred<Void>?
        h.factory.onConnectionMade = { stopped = h.service.stopService() }
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        #expect(!h.service.isRunning)
        #expect(connection.transport.isDisconnecting)
        #expect(stopped?.hasFired == true)
        connection.lose(ConnectionDone())
        #expect(h.clock.pendingCalls.isEmpty)
        #expect(h.attempts == 1)
    }

    @Test func aParentMultiServiceStartsItAndItsStopWaitsForTheDisconnect() throws {
        let h = ClientServiceHarness()
        let root = MultiService()
        try h.service.setServiceParent(root)
        try root.startService()
        #expect(h.attempts == 1)
        let connection = try #require(try h.acceptLatest())
        let stopped = try #require(root.stopService())
        #expect(connection.transport.isDisconnecting)
        #expect(!stopped.hasFired)
        connection.lose()
        #expect(stopped.hasFired)
        #expect(stopped.failure == nil)
    }
}
