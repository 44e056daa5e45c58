import Testing
import TwistCore
import TwistTesting

@Suite("TimeoutFactory (spec 61)")
struct TimeoutFactoryTests {
    let clock = TestClock()
    let capture = LogCapture()
    let inner = CountingFactory()
    let factory: TimeoutFactory

    init() {
        inner.logger = capture.logger()
        factory = TimeoutFactory(wrapping: inner, idleTimeout: 30, clock: clock)
    }

    @Test func anIdleConnectionIsClosedAfterTheTimeoutAndTheProtocolHearsConnectionDone() throws {
        let (_, transport) = try connectPolicy(factory)
        let recorder = try #require(inner.built.first)
        #expect(recorder.connectionsMade == 1)
        try clock.advance(29.9)
        #expect(!transport.isDisconnecting)
        try clock.advance(0.1)
        #expect(transport.isDisconnecting)
        #expect(recorder.reasons.count == 1)
        #expect(recorder.reasons.first?.error is ConnectionDone)
        #expect(capture.records.contains { $0.level == .debug && $0.message.contains("idle for 30.0 s") })
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func dataReceivedResetsTheTimer() throws {
        let (wrapper, transport) = try connectPolicy(factory)
        try clock.advance(20)
        try wrapper.dataReceived(Array("ping".utf8)[...])
        try clock.advance(20)
        #expect(!transport.isDisconnecting)
        #expect(inner.built.first?.received == Array("ping".utf8), "data still passes")
        try clock.advance(10)
        #expect(transport.isDisconnecting)
    }

    @Test func writeWriteSequenceAndWriteCopyingResetTheTimer() throws {
        let (_, transport) = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        try clock.advance(20)
        upper.write(Array("a".utf8))
        try clock.advance(20)
        upper.writeSequence([Array("b".utf8)[...], Array("c".utf8)[...]])
        try clock.advance(20)
        Array("d".utf8).withUnsafeBytes { upper.write(copying: $0) }
        try clock.advance(20)
        #expect(!transport.isDisconnecting, "80 s in, never 30 idle")
        #expect(transport.valueString == "abcd")
        try clock.advance(10)
        #expect(transport.isDisconnecting)
    }

    @Test func anErrorFromTheWrappedProtocolIsThrownOnAndTheTimerEndsWithTheConnection() throws {
        let (wrapper, transport) = try connectPolicy(factory)
        inner.built.first?.dataError = PolicyTestError()
        #expect(throws: PolicyTestError.self) { try wrapper.dataReceived([1][...]) }
        // The transport below closes the connection with the error, as it would unwrapped.
        wrapper.deliverConnectionLost(reason: Failure(PolicyTestError()))
        #expect(clock.pendingCalls.isEmpty)
        #expect(inner.built.first?.reasons.first?.error is PolicyTestError)
        #expect(!transport.isDisconnecting, "the wrapper itself closed nothing")
    }

    @Test func connectionLostCancelsTheTimer() throws {
        let (_, transport) = try connectPolicy(factory)
        #expect(clock.pendingCalls.count == 1)
        transport.loseConnection()
        #expect(clock.pendingCalls.isEmpty, "cancelled at connectionLost, not merely ignored later")
        try clock.advance(60)
        #expect(inner.built.first?.reasons.count == 1)
        #expect(capture.records.isEmpty, "no timeout logged for a closed connection")
    }

    @Test func theTimerStartsAtConnectionNotAtBuild() throws {
        let built = try #require(factory.buildProtocol(address: .ipv4("192.0.2.1", 1)))
        #expect(clock.pendingCalls.isEmpty)
        try clock.advance(100)
        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(built)
        try clock.advance(29)
        #expect(!transport.isDisconnecting)
        try clock.advance(1)
        #expect(transport.isDisconnecting)
    }

    @Test func aRefusalByTheWrappedFactoryIsPassedOn() {
        inner.refuses = true
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.1", 1)) == nil)
    }

    @Test func aHalfCloseableProtocolGetsAHalfCloseableWrapper() throws {
        inner.halfCloseable = true
        let (wrapper, _) = try connectPolicy(factory)
        let halfCloseable = try #require(wrapper as? any HalfCloseableProtocol)
        try halfCloseable.readConnectionLost()
        #expect((inner.built.first as? HalfCloseablePolicyRecorder)?.readsLost == 1)
    }

    @Test func theWrappedProtocolKeepsItsOwnFactory() throws {
        _ = try connectPolicy(factory)
        #expect(inner.built.first?.factory === inner)
        #expect(factory.protocolCount == 1)
    }
}
