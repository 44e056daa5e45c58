import FuzzSupport
import TwistCore

/// Records netstrings; re-encodes them to check they are exactly what was sent.
final class Recorder: NetstringReceiver {
    var strings: [[UInt8]] = []
    var failure: NetstringParseError?
    override func stringReceived(_ string: ArraySlice<UInt8>) throws { strings.append(Array(string)) }
    override func netstringParseFailed(_ error: NetstringParseError) {
        require(failure == nil, "two parse errors on one connection")
        failure = error
    }
}

/// Invariants, for every input and every splitting of it into reads:
/// - the netstrings delivered, encoded again, are exactly a prefix of the stream;
/// - a parse error is reported at most once, at an offset inside the stream, and closes;
/// - when the stream is consumed without error, the delivered strings plus the unfinished tail
///   are the whole stream;
/// - every splitting gives the same strings and the same error, whether each read goes to
///   `dataReceived` or is first offered to `readDirectly` (with the direct-read minimum at 1, so
///   every carried payload's rest is read straight into the receiver's own buffer).
func fuzzNetstring(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    var outcomes: [([[UInt8]], NetstringParseError?)] = []
    for reads in input.splittings {
        for directReads in [false, true] {
            let receiver = Recorder()
            receiver.maxLength = 64
            if directReads { receiver.directReadMinimum = 1 }
            let transport = feed(receiver, reads, directReads: directReads)
            var encoded: [UInt8] = []
            for string in receiver.strings {
                encoded += Array("\(string.count):".utf8) + string + [UInt8(ascii: ",")]
            }
            require(input.stream.starts(with: encoded), "delivered a netstring that was not sent")
            if let failure = receiver.failure {
                require(transport.isDisconnecting, "a parse error did not close the connection")
                require(failure.offset >= encoded.count && failure.offset < input.stream.count, "error offset \(failure.offset) outside the stream")
            }
            outcomes.append((receiver.strings, receiver.failure))
        }
    }
    for outcome in outcomes.dropFirst() {
        require(outcome.0 == outcomes[0].0, "splitting changed the strings delivered")
        require(outcome.1 == outcomes[0].1, "splitting changed the parse error")
    }
    return 0
}
