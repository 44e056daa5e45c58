import Testing
import TwistCore
import TwistTesting

/// A connector that only counts its calls.
final class CountingConnector: Connector {
    var connects = 0
    var stops = 0
    var connecting = false
    let destination = Address.ipv4("127.0.0.1", 7)

    func stopConnecting() throws {
        guard connecting else { throw NotConnectingError() }
        stops += 1
        connecting = false
    }

    func disconnect() {}

    func connect() {
        connects += 1
        connecting = true
    }
}

@Suite struct ReconnectingClientFactoryTests {
    @Test func defaultsAreTwisteds() {
        let factory = ReconnectingClientFactory(clock: TestClock())
        #expect(factory.initialDelay == 1.0)
        #expect(abs(factory.factor - 2.718281828459045) < 1e-12)
        #expect(factory.maxDelay == 3_600)
        #expect(factory.jitter == 0.119626565582)
        #expect(factory.maxRetries == nil)
        #expect(factory.delay == 1.0)
    }

    @Test func theFirstRetryWaitsTheInitialDelayAndLaterOnesGrowByTheFactor() throws {
        let clock = TestClock()
        let factory = ReconnectingClientFactory(clock: clock)
        factory.jitter = 0
        let connector = CountingConnector()
        factory.clientConnectionFailed(connector, reason: Failure(ConnectionRefusedError()))
        try clock.advance(0.999)
        #expect(connector.connects == 0)
        try clock.advance(0.001)
        #expect(connector.connects == 1)
        factory.clientConnectionFailed(connector, reason: Failure(ConnectionRefusedError()))
        try clock.advance(2.7)
        #expect(connector.connects == 1)
        try clock.advance(0.02)
        #expect(connector.connects == 2)
        #expect(factory.retries == 2)
    }

    @Test func theDelayNeverExceedsMaxDelayWithoutJitter() {
        let clock = TestClock()
        let factory = ReconnectingClientFactory(clock: clock)
        factory.jitter = 0
        factory.maxDelay = 10
        let connector = CountingConnector()
        for _ in 0..<10 { factory.clientConnectionLost(connector, reason: Failure(ConnectionLost())) }
        #expect(factory.delay == 10)
    }

    @Test func jitterReplacesTheDelayWithANormalDrawAroundIt() throws {
        let clock = TestClock()
        var draws: [(Double, Double)] = []
        let factory = ReconnectingClientFactory(clock: clock) { mean, deviation in
            draws.append((mean, deviation))
            return mean * 1.5
        }
        factory.clientConnectionFailed(CountingConnector(), reason: Failure(ConnectionRefusedError()))
        #expect(draws.count == 1)
        #expect(draws[0].0 == 1.0)
        #expect(abs(draws[0].1 - 0.119626565582) < 1e-12)
        #expect(clock.pendingCalls.first?.time == 1.5)
    }

    @Test func itGivesUpAfterMaxRetries() throws {
        let clock = TestClock()
        let factory = ReconnectingClientFactory(clock: clock)
        factory.jitter = 0
        factory.maxRetries = 2
        let connector = CountingConnector()
        for _ in 0..<3 {
            factory.clientConnectionFailed(connector, reason: Failure(ConnectionRefusedError()))
            try clock.advance(100)
        }
        #expect(connector.connects == 2)
    }

    @Test func stopTryingCancelsThePendingRetryAndStopsAnAttemptInProgress() throws {
        let clock = TestClock()
        let factory = ReconnectingClientFactory(clock: clock)
        let connector = CountingConnector()
        factory.clientConnectionLost(connector, reason: Failure(ConnectionLost()))
        #expect(clock.pendingCalls.count == 1)
        connector.connecting = true
        factory.stopTrying()
        #expect(clock.pendingCalls.isEmpty)
        #expect(connector.stops == 1)
        factory.clientConnectionLost(connector, reason: Failure(ConnectionLost()))
        try clock.advance(10_000)
        #expect(connector.connects == 0)
    }

    @Test func resetDelayIsTheCallersJob() {
        let clock = TestClock()
        let factory = ReconnectingClientFactory(clock: clock)
        factory.jitter = 0
        let connector = CountingConnector()
        factory.clientConnectionFailed(connector, reason: Failure(ConnectionRefusedError()))
        #expect(factory.delay > 1)
        factory.resetDelay()
        #expect(factory.delay == 1)
        #expect(factory.retries == 0)
    }
}
