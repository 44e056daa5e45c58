/// The wrapper ``TrafficLoggingFactory`` puts around each protocol (Twisted's
/// `TrafficLoggingProtocol`): logs one line per event of its connection, then passes the event on.
class TrafficLoggingProtocolWrapper: ProtocolWrapper {
    /// This connection's number.
    let number: Int
    private unowned let loggingFactory: TrafficLoggingFactory

    init(wrapping wrappedProtocol: Protocol, factory: TrafficLoggingFactory, number: Int) {
        self.number = number
        loggingFactory = factory
        super.init(wrapping: wrappedProtocol, factory: factory)
    }

    /// A logging wrapper around `wrapped`, half-closeable when `wrapped` is.
    static func logging(_ wrapped: Protocol, factory: TrafficLoggingFactory, number: Int) -> TrafficLoggingProtocolWrapper {
        if wrapped is any HalfCloseableProtocol {
            return HalfCloseableTrafficLoggingProtocolWrapper(wrapping: wrapped, factory: factory, number: number)
        }
        return TrafficLoggingProtocolWrapper(wrapping: wrapped, factory: factory, number: number)
    }

    private func log(_ direction: String, _ text: String) {
        loggingFactory.log("\(direction) \(number): \(text)", connection: number)
    }

    private func quoted(_ bytes: ArraySlice<UInt8>) -> String {
        TrafficLogFormat.quoted(bytes, lengthLimit: loggingFactory.lengthLimit)
    }

    override func connectionMade() {
        log("*", transport.map { "\($0.peer)" } ?? "?")
        super.connectionMade()
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        log("C", quoted(data))
        try super.dataReceived(data)
    }

    override func write(_ data: ArraySlice<UInt8>) {
        log("S", quoted(data))
        super.write(data)
    }

    override func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        log("SV", "[" + chunks.map(quoted).joined(separator: ", ") + "]")
        super.writeSequence(chunks)
    }

    override func loseConnection() {
        log("S", "*")
        super.loseConnection()
    }

    override func abortConnection() {
        log("S", "!")
        super.abortConnection()
    }

    override func connectionLost(reason: Failure) {
        log("C", TrafficLogFormat.reason(reason))
        super.connectionLost(reason: reason)
    }
}

/// A ``TrafficLoggingProtocolWrapper`` for a wrapped protocol that is half-closeable.
final class HalfCloseableTrafficLoggingProtocolWrapper: TrafficLoggingProtocolWrapper, HalfCloseableProtocol {}
