import Glibc
import Testing
import TwistCore
import TwistTesting

@Suite("ClientService: connecting and retrying (spec §4 item 48)")
struct ClientServiceTests {
    @Test func startConnectsAtOnce() throws {
        let h = ClientServiceHarness()
        #expect(h.attempts == 0)
        try h.service.startService()
        #expect(h.service.isRunning)
        #expect(h.attempts == 1)
        #expect(h.reactor.connectCalls[0].host == "127.0.0.1")
        #expect(h.reactor.connectCalls[0].port == 7000)
    }

    @Test func aSecondStartLogsDuplicateStartAndDoesNothing() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.service.startService()
        #expect(h.attempts == 1)
        #expect(h.service.isRunning)
        #expect(h.messages.contains { $0.contains("duplicate start") })
        #expect(h.clock.pendingCalls.isEmpty)
    }

    @Test func aFailedAttemptWaitsWhatThePolicySaysThenConnectsAgain() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.failLatest()
        #expect(h.service.failedAttempts == 1)
        #expect(h.policyCalls == [1])
        try h.clock.advance(1.9)
        #expect(h.attempts == 1)
        try h.clock.advance(0.1)
        #expect(h.attempts == 2)
        try h.failLatest(ConnectTimeoutError())
        #expect(h.service.failedAttempts == 2)
        #expect(h.policyCalls == [1, 2])
        try h.clock.advance(4.9)
        #expect(h.attempts == 2)
        try h.clock.advance(0.1)
        #expect(h.attempts == 3)
        #expect(h.messages.contains { $0.contains("retrying in 5.0 s") })
    }

    @Test func aConnectionResetsTheFailureCount() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.failLatest()
        try h.clock.advance(2)
        try h.failLatest()
        #expect(h.service.failedAttempts == 2)
        try h.clock.advance(5)
        try h.acceptLatest()
        #expect(h.service.failedAttempts == 0)
        #expect(h.clock.pendingCalls.isEmpty)
        #expect(h.attempts == 3)
    }

    @Test func aLostConnectionCountsAsAFailureAndReconnectsAfterTheFirstDelay() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        try h.failLatest()
        try h.clock.advance(2)
        let connection = try #require(try h.acceptLatest())
        connection.lose()
        #expect(h.service.failedAttempts == 1)
        #expect(h.policyCalls == [1, 1])
        try h.clock.advance(1.9)
        #expect(h.attempts == 2)
        try h.clock.advance(0.1)
        #expect(h.attempts == 3)
        let app = try #require(h.factory.built.first as? RecordingProtocol)
        #expect(app.events == ["made", "lost"])
        #expect(app.lostReason?.check(ConnectionLost.self) != nil)
    }

    @Test func aFactoryThatBuildsNoProtocolCountsAsAFailedAttempt() throws {
        let h = ClientServiceHarness()
        h.factory.refuses = true
        try h.service.startService()
        let waiter = h.whenConnected(failAfterFailures: 1)
        let connection = try h.acceptLatest()
        #expect(connection == nil)
        #expect(h.service.failedAttempts == 1)
        #expect(waiter.failure?.check(NoProtocol.self) != nil)
        #expect(h.messages.contains { $0.contains("refused to build a protocol") })
        h.factory.refuses = false
        try h.clock.advance(2)
        #expect(h.attempts == 2)
        try h.acceptLatest()
        #expect(h.service.failedAttempts == 0)
    }

    @Test func aNegativeOrNaNDelayFromThePolicyRetriesAtOnce() throws {
        let h = ClientServiceHarness()
        h.retryDelays = [-3, .nan]
        try h.service.startService()
        try h.failLatest()
        try h.clock.advance(0)
        #expect(h.attempts == 2)
        try h.failLatest()
        try h.clock.advance(0)
        #expect(h.attempts == 3)
    }

    @Test func theFactoryHearsDoStartAndDoStopAsTheReactorGivesThem() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let recorded = try #require(h.reactor.connectCalls.last).factory
        recorded.doStart()
        #expect(h.factory.events == ["start"])
        #expect(h.factory.numberOfUsers == 1)
        recorded.doStop()
        #expect(h.factory.events == ["start", "stop"])
        #expect(h.factory.numberOfUsers == 0)
    }

    @Test func theApplicationProtocolGetsTheRealTransportAndEveryDelivery() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        let app = try #require(h.factory.built.first as? RecordingProtocol)
        #expect(app.transport === connection.transport)
        #expect(app.factory === h.factory)
        try connection.reactorProtocol.dataReceived(Array("hi".utf8)[...])
        #expect(app.received == Array("hi".utf8))
        #expect(connection.reactorProtocol.logPrefix == "RecordingProtocol")
        #expect(!(connection.reactorProtocol is any HalfCloseableProtocol))
    }

    @Test func aHalfCloseableApplicationProtocolStaysHalfCloseableThroughTheService() throws {
        let h = ClientServiceHarness()
        h.factory.halfCloseable = true
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        let outer = try #require(connection.reactorProtocol as? any HalfCloseableProtocol)
        try outer.readConnectionLost()
        try outer.writeConnectionLost()
        let app = try #require(h.factory.built.first as? HalfCloseRecorder)
        #expect(app.events == ["readConnectionLost", "writeConnectionLost"])
    }

    @Test func aDescriptorPassedToAProtocolThatTakesNoneIsClosedNotLeaked() throws {
        let h = ClientServiceHarness()
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        let receiver = try #require(connection.reactorProtocol as? any FileDescriptorReceiver)
        // The write end of a pipe: once it is closed, the read end reads end of file (the
        // descriptor number itself may be reused at once by a test running in parallel).
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        defer { close(ends[0]) }
        receiver.fileDescriptorReceived(ends[1])
        var byte: UInt8 = 0
        #expect(read(ends[0], &byte, 1) == 0)
    }
}
