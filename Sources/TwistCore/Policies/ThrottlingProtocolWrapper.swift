/// The wrapper ``ThrottlingFactory`` puts around each protocol (Twisted's `ThrottlingProtocol`):
/// counts the bytes passing each way for the factory's rate limits, pauses the reading of the
/// transport below while reads are throttled, and pauses the registered push producer while
/// writes are throttled. It holds the connection's place under the factory's maximum count.
class ThrottlingProtocolWrapper: CountedProtocolWrapper {
    private unowned let throttlingFactory: ThrottlingFactory
    /// Who holds the transport below's reading paused: the wrapped protocol, the read limit, both.
    private(set) var readPause = ThrottlePause.running
    /// The push producer the wrapped protocol registered, behind its throttle; nil when none is.
    private(set) var throttledProducer: ThrottledProducer?

    init(wrapping wrappedProtocol: Protocol, factory: ThrottlingFactory, slot: ConnectionSlot) {
        throttlingFactory = factory
        super.init(wrapping: wrappedProtocol, factory: factory, slot: slot)
    }

    /// A throttling wrapper around `wrapped`, half-closeable when `wrapped` is.
    static func throttling(_ wrapped: Protocol, factory: ThrottlingFactory, slot: ConnectionSlot) -> ThrottlingProtocolWrapper {
        if wrapped is any HalfCloseableProtocol {
            return HalfCloseableThrottlingProtocolWrapper(wrapping: wrapped, factory: factory, slot: slot)
        }
        return ThrottlingProtocolWrapper(wrapping: wrapped, factory: factory, slot: slot)
    }

    /// Connects; a connection made while reads are throttled starts with its reading paused.
    override func makeConnection(_ transport: any Transport) {
        super.makeConnection(transport)
        if throttlingFactory.readsAreThrottled { throttleReads() }
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        throttlingFactory.registerRead(data.count)
        try super.dataReceived(data)
    }

    override func write(_ data: ArraySlice<UInt8>) {
        throttlingFactory.registerWritten(data.count)
        super.write(data)
    }

    override func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        throttlingFactory.registerWritten(chunks.reduce(0) { $0 + $1.count })
        super.writeSequence(chunks)
    }

    // MARK: Reading: the wrapped protocol's pause and the read limit together

    override func pauseProducing() { applyToReading(readPause.controllerPauses()) }

    override func resumeProducing() { applyToReading(readPause.controllerResumes()) }

    /// Pauses the transport below's reading (unless the wrapped protocol has it paused already).
    func throttleReads() { applyToReading(readPause.throttle()) }

    /// Resumes the transport below's reading (unless the wrapped protocol keeps it paused).
    func unthrottleReads() { applyToReading(readPause.unthrottle()) }

    private func applyToReading(_ action: ThrottlePause.Action) {
        guard let transport, !transport.isDisconnecting else { return }
        switch action {
        case .pause: transport.pauseProducing()
        case .resume: transport.resumeProducing()
        case .none: break
        }
    }

    // MARK: Writing: a push producer behind the write limit

    /// Registers a push producer behind a ``ThrottledProducer``, so the write limit can pause it
    /// too (paused at once if writes are throttled now); a pull producer passes through as it is.
    override func registerProducer(_ producer: RegisteredProducer) throws {
        guard case .push(let push) = producer else {
            try super.registerProducer(producer)
            return
        }
        let throttled = ThrottledProducer(push)
        try super.registerProducer(.push(throttled))
        throttledProducer = throttled
        if throttlingFactory.writesAreThrottled { throttled.throttle() }
    }

    override func unregisterProducer() {
        throttledProducer = nil
        super.unregisterProducer()
    }

    /// Pauses the registered push producer, if any.
    func throttleWrites() { throttledProducer?.throttle() }

    /// Resumes the registered push producer, if any (unless the transport keeps it paused).
    func unthrottleWrites() { throttledProducer?.unthrottle() }

    override func connectionLost(reason: Failure) {
        throttledProducer = nil
        super.connectionLost(reason: reason)
    }
}

/// A ``ThrottlingProtocolWrapper`` for a wrapped protocol that is half-closeable.
final class HalfCloseableThrottlingProtocolWrapper: ThrottlingProtocolWrapper, HalfCloseableProtocol {}
