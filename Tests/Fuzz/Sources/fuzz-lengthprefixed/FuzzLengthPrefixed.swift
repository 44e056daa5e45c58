import FuzzSupport
import TwistCore

final class Recorder: LengthPrefixedReceiver {
    var strings: [[UInt8]] = []
    var exceeded: Int?
    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        strings.append(Array(string))
        if string.first == 0xff { pauseProducing() }
    }
    override func lengthLimitExceeded(_ length: Int) {
        require(exceeded == nil, "the limit was reported twice")
        exceeded = length
        super.lengthLimitExceeded(length)
    }
}

/// The stream's first byte picks the prefix width (1, 2 or 4; Int8/16/32StringReceiver); a string
/// starting with 0xff pauses the receiver until the read is over. Invariants, for every splitting:
/// the strings re-encoded are a prefix of the stream; a reported length really exceeds the limit
/// and closes; every splitting gives the same strings and the same verdict.
func fuzzLengthPrefixed(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    guard let selector = input.stream.first else { return 0 }
    let width = [1, 2, 4][Int(selector) % 3]
    let stream = Array(input.stream.dropFirst())
    var outcomes: [([[UInt8]], Int?)] = []
    for reads in [[stream[...]], FuzzInput.split(stream, size: 1), FuzzInput.split(stream, size: input.readSize)] {
        let receiver = Recorder(prefixLength: width)
        receiver.maxLength = 300
        let transport = feed(receiver, reads, afterEachRead: { while receiver.isPaused { receiver.resumeProducing() } })
        var encoded: [UInt8] = []
        for string in receiver.strings {
            for shift in stride(from: 8 * (width - 1), through: 0, by: -8) {
                encoded.append(UInt8(truncatingIfNeeded: string.count >> shift))
            }
            encoded += string
        }
        require(stream.starts(with: encoded), "delivered a string that was not sent")
        if let length = receiver.exceeded {
            require(length > 300 && transport.isDisconnecting, "a bad limit report")
        }
        outcomes.append((receiver.strings, receiver.exceeded))
    }
    for outcome in outcomes.dropFirst() {
        require(outcome.0 == outcomes[0].0 && outcome.1 == outcomes[0].1, "splitting changed the outcome")
    }
    return 0
}
