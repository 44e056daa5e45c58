import Testing
import TwistCore
import TwistTesting

/// A `prepareConnection` the tests script: it records what it sees and answers as told.
final class ScriptedPreparation {
    enum Answer {
        case ready
        case later
        case throwing(any Error)
        case failing(any Error)
    }

    var answer = Answer.ready
    /// The application protocol's events at each call, one entry per call.
    var seen: [[String]] = []
    var prepared: [Protocol] = []
    var pending: [Deferred<Void>] = []
    var cancelled = 0

    func callAsFunction(_ application: Protocol) throws -> Deferred<Void>? {
        seen.append((application as? RecordingProtocol)?.events ?? [])
        prepared.append(application)
        switch answer {
        case .ready:
            return nil
        case .later:
            let deferred = Deferred<Void>(canceller: { [unowned self] _ in cancelled += 1 })
            pending.append(deferred)
            return deferred
        case .throwing(let error):
            throw error
        case .failing(let error):
            return fail(error)
        }
    }
}

@Suite("ClientService: prepareConnection (spec §4 item 52)")
struct ClientServicePrepareTests {
    let preparation = ScriptedPreparation()
    let h: ClientServiceHarness

    init() {
        h = ClientServiceHarness(prepareConnection: { [preparation] in try preparation($0) })
    }

    @Test func itRunsOncePerNewConnectionAfterConnectionMade() throws {
        try h.service.startService()
        try h.acceptLatest()?.lose()
        #expect(preparation.seen == [["made"]])
        #expect(preparation.prepared.first === h.factory.built.first)
        try h.clock.advance(2)
        try h.acceptLatest()
        #expect(preparation.seen == [["made"], ["made"]])
        #expect(preparation.prepared.last === h.factory.built.last)
        _ = h.whenConnected()
        #expect(preparation.seen.count == 2)  // asking does not prepare again
    }

    @Test func whenConnectedWaitsForItsDeferred() throws {
        preparation.answer = .later
        try h.service.startService()
        let early = h.whenConnected()
        try h.acceptLatest()
        let meanwhile = h.whenConnected()
        #expect(!early.hasFired && !meanwhile.hasFired)
        try preparation.pending[0].callback()
        #expect(early.successValue === h.factory.built.first)
        #expect(meanwhile.successValue === h.factory.built.first)
        #expect(h.whenConnected().hasFired)
    }

    @Test func whenItIsPendingTheFailureCountIsNotYetReset() throws {
        preparation.answer = .later
        try h.service.startService()
        try h.failLatest()
        try h.clock.advance(2)
        try h.acceptLatest()
        #expect(h.service.failedAttempts == 1)
        try preparation.pending[0].callback()
        #expect(h.service.failedAttempts == 0)
    }

    @Test func throwingRejectsTheConnectionAsAFailedAttempt() throws {
        preparation.answer = .throwing(TestError(code: 7))
        try h.service.startService()
        let waiter = h.whenConnected(failAfterFailures: 1)
        let connection = try #require(try h.acceptLatest())
        #expect(waiter.failure?.check(TestError.self) == TestError(code: 7))
        #expect(h.service.failedAttempts == 1)
        #expect(connection.transport.isDisconnecting)
        connection.lose(ConnectionDone())  // its loss is not a second failure
        #expect(h.service.failedAttempts == 1)
        #expect(h.clock.pendingCalls.count == 1)
        preparation.answer = .ready
        try h.clock.advance(2)
        #expect(h.attempts == 2)
        try h.acceptLatest()
        #expect(h.whenConnected().successValue === h.factory.built.last)
    }

    @Test func aFailedDeferredRejectsTheConnectionAsAFailedAttempt() throws {
        preparation.answer = .failing(TestError(code: 8))
        try h.service.startService()
        let waiter = h.whenConnected(failAfterFailures: 1)
        let connection = try #require(try h.acceptLatest())
        #expect(waiter.failure?.check(TestError.self) == TestError(code: 8))
        #expect(h.service.failedAttempts == 1)
        #expect(connection.transport.isDisconnecting)
        #expect(h.policyCalls == [1])
    }

    @Test func aLaterFailureRejectsTheConnectionToo() throws {
        preparation.answer = .later
        try h.service.startService()
        let waiter = h.whenConnected(failAfterFailures: 1)
        let connection = try #require(try h.acceptLatest())
        try preparation.pending[0].errback(TestError(code: 9))
        #expect(waiter.failure?.check(TestError.self) == TestError(code: 9))
        #expect(connection.transport.isDisconnecting)
        #expect(h.service.failedAttempts == 1)
    }

    @Test func aConnectionLostWhilePreparingIsAFailedAttemptAndCancelsThePreparation() throws {
        preparation.answer = .later
        try h.service.startService()
        let waiter = h.whenConnected(failAfterFailures: 1)
        try h.acceptLatest()?.lose()
        #expect(preparation.cancelled == 1)
        #expect(waiter.failure?.check(ConnectionLost.self) != nil)
        #expect(h.service.failedAttempts == 1)
        #expect(h.clock.pendingCalls.count == 1)
    }

    @Test func stopWhilePreparingCancelsItClosesTheConnectionAndFiresAfterTheLoss() throws {
        preparation.answer = .later
        try h.service.startService()
        let waiter = h.whenConnected()
        let connection = try #require(try h.acceptLatest())
        let stopped = try #require(h.service.stopService())
        #expect(preparation.cancelled == 1)
        #expect(waiter.failure?.check(CancelledError.self) != nil)
        #expect(connection.transport.isDisconnecting)
        #expect(!stopped.hasFired)
        connection.lose()
        #expect(stopped.hasFired)
        #expect(h.clock.pendingCalls.isEmpty)
        #expect(h.service.failedAttempts == 0)
    }

    @Test func stoppingFromInsidePrepareConnectionClosesTheConnection() throws {
        var service: ClientService?
        let h = ClientServiceHarness(prepareConnection: { _ in
            _ = service?.stopService()
            return nil
        })
        service = h.service
        try h.service.startService()
        let connection = try #require(try h.acceptLatest())
        #expect(!h.service.isRunning)
        #expect(connection.transport.isDisconnecting)
        connection.lose()
        #expect(h.clock.pendingCalls.isEmpty)
        #expect(h.whenConnected().failure?.check(CancelledError.self) != nil)
    }
}
