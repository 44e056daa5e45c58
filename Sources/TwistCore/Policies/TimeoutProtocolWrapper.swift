/// The wrapper ``TimeoutFactory`` puts around each protocol (Twisted's `TimeoutProtocol`): a
/// ``ConnectionTimeout`` of the factory's idle timeout, armed at `makeConnection`, reset by
/// traffic in either direction, cancelled at `connectionLost`.
class TimeoutProtocolWrapper: ProtocolWrapper {
    private unowned let timeoutFactory: TimeoutFactory
    private lazy var timer = ConnectionTimeout(clock: timeoutFactory.clock, owner: self) { wrapper in
        wrapper.timeoutFactory.logTimeout(of: wrapper)
        wrapper.loseConnection()
    }

    init(wrapping wrappedProtocol: Protocol, factory: TimeoutFactory) {
        timeoutFactory = factory
        super.init(wrapping: wrappedProtocol, factory: factory)
    }

    /// True while the idle timer is pending.
    var isTimerPending: Bool { timer.isPending }

    /// Arms the timer, then connects as a plain wrapper (the wrapped protocol's `connectionMade`
    /// writes already count as traffic).
    override func makeConnection(_ transport: any Transport) {
        timer.setTimeout(timeoutFactory.idleTimeout)
        super.makeConnection(transport)
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        timer.resetTimeout()
        try super.dataReceived(data)
    }

    override func write(_ data: ArraySlice<UInt8>) {
        timer.resetTimeout()
        super.write(data)
    }

    override func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        timer.resetTimeout()
        super.writeSequence(chunks)
    }

    /// Stops the idle timer; harmless when it is not pending (Twisted's `cancelTimeout`).
    func cancelTimeout() {
        timer.setTimeout(nil)
    }

    override func connectionLost(reason: Failure) {
        cancelTimeout()
        super.connectionLost(reason: reason)
    }
}

/// A ``TimeoutProtocolWrapper`` for a wrapped protocol that is half-closeable.
final class HalfCloseableTimeoutProtocolWrapper: TimeoutProtocolWrapper, HalfCloseableProtocol {}
