import FuzzSupport
import TwistCore

final class Recorder: LineOnlyReceiver {
    var lines: [[UInt8]] = []
    var exceeded = false
    override func lineReceived(_ line: ArraySlice<UInt8>) throws { lines.append(Array(line)) }
    override func lineLengthExceeded(_ line: [UInt8]) {
        exceeded = true
        super.lineLengthExceeded(line)
    }
}

/// Invariants, for every input and every splitting into reads: lines re-form a prefix of the
/// stream, never hold the delimiter nor exceed the limit; without an over-long line every
/// splitting gives the same lines and leaves the connection open.
func fuzzLineOnly(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    var outcomes: [[[UInt8]]] = []
    for reads in input.splittings {
        let receiver = Recorder()
        receiver.maxLength = 40
        receiver.delimiter = [UInt8(ascii: "\n")]
        let transport = feed(receiver, reads)
        let rebuilt = receiver.lines.flatMap { $0 + [UInt8(ascii: "\n")] }
        require(input.stream.starts(with: rebuilt), "delivered lines that were not sent")
        for line in receiver.lines {
            require(line.count <= 40 && !line.contains(UInt8(ascii: "\n")), "a bad line was delivered")
        }
        require(receiver.exceeded == transport.isDisconnecting, "closed without cause, or not closed")
        if !receiver.exceeded { outcomes.append(receiver.lines) }
    }
    for outcome in outcomes.dropFirst() {
        require(outcome == outcomes[0], "splitting changed the lines")
    }
    return 0
}
