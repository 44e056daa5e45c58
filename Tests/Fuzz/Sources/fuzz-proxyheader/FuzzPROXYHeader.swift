import FuzzSupport
import TwistCore
import TwistTesting

/// What feeding a whole stream, in some splitting, gave.
enum Outcome: Equatable {
    /// A header of `length` bytes in all.
    case header(PROXYHeader, length: Int)
    case error(PROXYHeaderError)
    case needMore(buffered: Int)
}

/// Feeds `reads` in order; stops at the header or the error. Checks that each call's consumed
/// count lies within its read.
func outcome(_ reads: [ArraySlice<UInt8>], maximumV2Length: Int) -> Outcome {
    var parser = PROXYHeaderParser(maximumV2Length: maximumV2Length)
    var total = 0
    for read in reads {
        do {
            switch try parser.feed(read) {
            case .needMore:
                total += read.count
            case .header(let header, let consumed):
                require(consumed >= 0 && consumed <= read.count, "consumed \(consumed) of a \(read.count)-byte read")
                require(parser.bufferedCount == 0, "a finished parser still holds bytes")
                return .header(header, length: total + consumed)
            }
        } catch {
            return .error(error)
        }
    }
    require(parser.bufferedCount == total, "buffered \(parser.bufferedCount), fed \(total)")
    return .needMore(buffered: total)
}

/// Records what reaches the application behind the wrapper.
final class Application: Protocol {
    var made = 0
    var received: [UInt8] = []
    var lost = 0
    override func connectionMade() { made += 1 }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { received += data }
    override func connectionLost(reason: Failure) { lost += 1 }
}

/// A wrapping factory whose logger drops the wrapper's warnings (one per rejected input would
/// swamp the run). libFuzzer runs inputs on one thread.
nonisolated(unsafe) let quiet: HAProxyWrappingFactory = {
    let application = Factory()
    application.logger.logLevel = .critical
    return HAProxyWrappingFactory(wrapping: application)
}()

/// Invariants, for every input, every splitting (whole, byte at a time, the input's read size)
/// and two length limits:
/// - the parser never crashes or loops, and every splitting gives the same header (of the same
///   length), the same error, or the same "need more";
/// - a header of n bytes is found in the stream's first n bytes alone: nothing past it was read;
/// - through HAProxyProtocolWrapper, the application is connected exactly when there is a header,
///   and then receives exactly the bytes after it; otherwise it hears nothing.
func fuzzPROXYHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    for limit in [64, 16 * 1024] {
        let outcomes = input.splittings.map { outcome($0, maximumV2Length: limit) }
        for other in outcomes.dropFirst() {
            require(other == outcomes[0], "splitting changed the outcome: \(outcomes[0]) vs \(other)")
        }
        if case .header(let header, let length) = outcomes[0] {
            require(outcome([input.stream[..<length]], maximumV2Length: limit) == .header(header, length: length),
                    "the header needed bytes past its end")
        }
        for reads in input.splittings {
            let application = Application()
            let wrapper = HAProxyProtocolWrapper(wrapping: application, factory: quiet, maximumV2Length: limit)
            let transport = feed(wrapper, reads)
            switch outcomes[0] {
            case .header(_, let length):
                require(application.made == 1, "header found but the application was not connected")
                require(application.received == Array(input.stream[length...]), "the application's bytes changed")
                require(!transport.isDisconnecting, "a good header closed the connection")
            case .error:
                require(application.made == 0 && application.received.isEmpty, "the application saw a bad header's connection")
                require(transport.isDisconnecting, "a bad header did not close the connection")
            case .needMore:
                require(application.made == 0 && application.received.isEmpty, "the application started before the header")
            }
            wrapper.connectionLost(reason: Failure(ConnectionDone()))
            require(application.lost == application.made, "connectionLost without connectionMade, or missing")
        }
    }
    return 0
}
