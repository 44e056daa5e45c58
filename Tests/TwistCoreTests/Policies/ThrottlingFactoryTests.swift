import Testing
import TwistCore
import TwistTesting

@Suite("ThrottlingFactory (spec 62)")
struct ThrottlingFactoryTests {
    let clock = TestClock()
    let capture = LogCapture()
    let inner = CountingFactory()

    init() {
        inner.logger = capture.logger()
    }

    private func throttling(max: Int = .max, read: Int? = nil, write: Int? = nil) -> ThrottlingFactory {
        ThrottlingFactory(wrapping: inner, maxConnectionCount: max, readLimit: read, writeLimit: write, clock: clock)
    }

    // MARK: connection count

    @Test func pastTheMaximumAConnectionIsRefusedWithoutAskingTheWrappedFactory() throws {
        let factory = throttling(max: 2)
        let (_, first) = try connectPolicy(factory)
        _ = try connectPolicy(factory)
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.9", 1)) == nil)
        #expect(inner.asked == 2, "the refused one never reached the wrapped factory")
        #expect(factory.connectionCount == 2)
        let notices = capture.records.filter { $0.level == .notice }.map(\.message)
        #expect(notices == ["refused connection from 192.0.2.9:1: 2 connections open, the maximum is 2 (CountingFactory (ThrottlingFactory))"])

        first.loseConnection()
        #expect(factory.connectionCount == 1)
        _ = try connectPolicy(factory)
        #expect(inner.asked == 3, "under the maximum again")
    }

    @Test func aProtocolBuiltButNeverConnectedGivesItsPlaceBack() throws {
        let factory = throttling(max: 1)
        do { _ = factory.buildProtocol(address: .ipv4("192.0.2.1", 1)) }
        #expect(factory.connectionCount == 0)
        _ = try connectPolicy(factory)
        #expect(factory.connectionCount == 1)
    }

    @Test func withoutLimitsNoTimerRuns() throws {
        let factory = throttling(max: 3)
        _ = try connectPolicy(factory)
        #expect(clock.pendingCalls.isEmpty)
    }

    // MARK: read limit

    @Test func aSecondOverTheReadLimitPausesReadingForTheExcessThenResumes() throws {
        let factory = throttling(read: 10)
        let (wrapper, transport) = try connectPolicy(factory)
        let (_, other) = try connectPolicy(factory, peer: .ipv4("192.0.2.2", 1))
        try wrapper.dataReceived(Array(repeating: 0, count: 25)[...])
        try clock.advance(1)
        #expect(factory.readsAreThrottled)
        #expect(transport.producerState == .paused)
        #expect(other.producerState == .paused, "every connection is paused")
        try clock.advance(1)
        #expect(transport.producerState == .paused, "25/10 − 1 = 1.5 s: still paused at 2.0")
        try clock.advance(0.5)
        #expect(!factory.readsAreThrottled)
        #expect(transport.producerState == .producing)
        #expect(other.producerState == .producing)
        #expect(inner.built.first?.received.count == 25, "the bytes were delivered, only counted")
    }

    @Test func aConnectionClosingWhenTheThrottleLiftsIsLeftAlone() throws {
        let factory = throttling(read: 10)
        let built = try #require(factory.buildProtocol(address: .ipv4("192.0.2.1", 1)))
        let transport = StringTransport()  // closing does not deliver connectionLost: it stays "disconnecting"
        transport.connect(built)
        try built.dataReceived(Array(repeating: 0, count: 20)[...])
        try clock.advance(1)
        #expect(transport.producerState == .paused)
        transport.loseConnection()
        try clock.advance(1)  // the lift: resuming a disconnecting transport would be an error
        #expect(!factory.readsAreThrottled)
        #expect(transport.producerState == .paused)
    }

    @Test func anErrorFromTheWrappedProtocolIsThrownOnAfterCounting() throws {
        let factory = throttling(read: 10)
        let (wrapper, transport) = try connectPolicy(factory)
        inner.built.first?.dataError = PolicyTestError()
        #expect(throws: PolicyTestError.self) { try wrapper.dataReceived(Array(repeating: 0, count: 11)[...]) }
        try clock.advance(1)
        #expect(transport.producerState == .paused, "the bytes arrived: they count")
    }

    @Test func exactlyTheLimitDoesNotThrottle() throws {
        let factory = throttling(read: 10)
        let (wrapper, transport) = try connectPolicy(factory)
        try wrapper.dataReceived(Array(repeating: 0, count: 10)[...])
        try clock.advance(1)
        #expect(transport.producerState == .producing)
    }

    @Test func aConnectionMadeWhileReadsAreThrottledStartsPausedAndResumesWithTheRest() throws {
        let factory = throttling(read: 10)
        let (wrapper, _) = try connectPolicy(factory)
        try wrapper.dataReceived(Array(repeating: 0, count: 30)[...])
        try clock.advance(1)
        let (_, late) = try connectPolicy(factory, peer: .ipv4("192.0.2.3", 1))
        #expect(late.producerState == .paused)
        try clock.advance(2)
        #expect(late.producerState == .producing)
    }

    @Test func theProtocolsOwnPauseOutlastsTheThrottle() throws {
        let factory = throttling(read: 10)
        let (wrapper, transport) = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        upper.pauseProducing()
        #expect(transport.producerState == .paused)
        try wrapper.dataReceived(Array(repeating: 0, count: 20)[...])
        try clock.advance(1)
        try clock.advance(1)
        #expect(!factory.readsAreThrottled)
        #expect(transport.producerState == .paused, "the throttle resumes only what it paused")
        upper.resumeProducing()
        #expect(transport.producerState == .producing)
    }

    @Test func theProtocolResumingDuringTheThrottleDoesNotLiftIt() throws {
        let factory = throttling(read: 10)
        let (wrapper, transport) = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        try wrapper.dataReceived(Array(repeating: 0, count: 40)[...])
        try clock.advance(1)
        upper.pauseProducing()
        upper.resumeProducing()
        #expect(transport.producerState == .paused, "still throttled")
        try clock.advance(3)
        #expect(transport.producerState == .producing)
    }

    @Test func overAgainWhileThrottledPausesLongerNeverShorter() throws {
        let factory = throttling(read: 10)
        let (wrapper, transport) = try connectPolicy(factory)
        try wrapper.dataReceived(Array(repeating: 0, count: 40)[...])
        try clock.advance(1)  // throttled until 1 + 3 = 4
        try wrapper.dataReceived(Array(repeating: 0, count: 15)[...])  // bytes already in flight
        try clock.advance(1)  // at 2: 15/10 − 1 = 0.5 s, shorter than the 2 s left
        try clock.advance(1.9)
        #expect(transport.producerState == .paused)
        try clock.advance(0.1)
        #expect(transport.producerState == .producing)

        try wrapper.dataReceived(Array(repeating: 0, count: 20)[...])
        try clock.advance(1)  // at 5: throttled until 6
        try wrapper.dataReceived(Array(repeating: 0, count: 50)[...])
        try clock.advance(0.5)
        #expect(transport.producerState == .paused)
        try clock.advance(0.5)  // at 6: the check (50/10 − 1 = 4 s) runs before the lift, both due now
        #expect(transport.producerState == .paused, "extended to 10")
        try clock.advance(4)
        #expect(transport.producerState == .producing)
    }

    @Test func theTimersStopWhenTheLastConnectionGoesAndStartWithTheNext() throws {
        let factory = throttling(read: 10, write: 10)
        let (_, first) = try connectPolicy(factory)
        let (wrapper, second) = try connectPolicy(factory, peer: .ipv4("192.0.2.2", 1))
        #expect(clock.pendingCalls.count == 2, "one check per limit")
        try wrapper.dataReceived(Array(repeating: 0, count: 50)[...])
        try clock.advance(1)
        #expect(clock.pendingCalls.count == 3, "two checks and the lift")
        first.loseConnection()
        #expect(clock.pendingCalls.count == 3)
        second.loseConnection()
        #expect(clock.pendingCalls.isEmpty)
        #expect(!factory.readsAreThrottled)

        let (_, third) = try connectPolicy(factory, peer: .ipv4("192.0.2.3", 1))
        #expect(clock.pendingCalls.count == 2)
        #expect(third.producerState == .producing, "the old count was forgotten")
        try clock.advance(1)
        #expect(third.producerState == .producing)
    }

    // MARK: write limit

    @Test func aSecondOverTheWriteLimitPausesTheRegisteredPushProducerThenResumesIt() throws {
        let factory = throttling(write: 10)
        let (_, transport) = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        let producer = RecordingPushProducer()
        try upper.registerProducer(.push(producer))
        upper.write(Array(repeating: 0x61, count: 30))
        #expect(transport.value.count == 30, "writes are never held back")
        try clock.advance(1)
        #expect(factory.writesAreThrottled)
        #expect(producer.isPaused)
        #expect(transport.producerState == .producing, "reading is not touched by the write limit")
        try clock.advance(2)
        #expect(!producer.isPaused)
        #expect((producer.pauses, producer.resumes) == (1, 1))
    }

    @Test func writeSequenceCountsEveryChunk() throws {
        let factory = throttling(write: 10)
        _ = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        let producer = RecordingPushProducer()
        try upper.registerProducer(.push(producer))
        upper.writeSequence([Array(repeating: 1, count: 6)[...], Array(repeating: 2, count: 6)[...]])
        try clock.advance(1)
        #expect(producer.isPaused, "12 bytes in a second over a limit of 10")
    }

    @Test func theTransportsFlowControlPauseOutlastsTheThrottle() throws {
        let factory = throttling(write: 10)
        let (_, transport) = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        let producer = RecordingPushProducer()
        try upper.registerProducer(.push(producer))
        let registered = try #require(transport.producer?.producer as? any PushProducer)
        registered.pauseProducing()  // the transport's queue is full
        upper.write(Array(repeating: 0, count: 20))
        try clock.advance(1)
        try clock.advance(1)
        #expect(!factory.writesAreThrottled)
        #expect(producer.isPaused, "the queue is still full")
        registered.resumeProducing()
        #expect(!producer.isPaused)
        registered.stopProducing()
        #expect(producer.stops == 1)
    }

    @Test func aProducerRegisteredWhileWritesAreThrottledStartsPaused() throws {
        let factory = throttling(write: 10)
        _ = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        upper.write(Array(repeating: 0, count: 30))
        try clock.advance(1)
        let producer = RecordingPushProducer()
        try upper.registerProducer(.push(producer))
        #expect(producer.isPaused)
        try clock.advance(2)
        #expect(!producer.isPaused)
    }

    @Test func aPullProducerIsNotThrottledAndUnregisteringStopsThrottlingTheProducer() throws {
        let factory = throttling(write: 10)
        let (_, transport) = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        let pull = RecordingPullProducer()
        try upper.registerProducer(.pull(pull))
        #expect(transport.producer?.producer === pull, "passed through as it is")
        upper.unregisterProducer()
        let push = RecordingPushProducer()
        try upper.registerProducer(.push(push))
        upper.unregisterProducer()
        upper.write(Array(repeating: 0, count: 30))
        try clock.advance(1)
        #expect(factory.writesAreThrottled)
        #expect(push.pauses == 0, "unregistered before the throttle")
    }

    @Test func aSecondProducerIsRefusedAsTheTransportRefusesIt() throws {
        let factory = throttling(write: 10)
        _ = try connectPolicy(factory)
        let upper = try #require(inner.built.first?.transport)
        try upper.registerProducer(.push(RecordingPushProducer()))
        #expect(throws: ProducerRegistrationError.self) { try upper.registerProducer(.push(RecordingPushProducer())) }
    }
}
