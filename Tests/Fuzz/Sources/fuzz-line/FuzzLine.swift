import FuzzSupport
import TwistCore

/// A LineReceiver driven by what it reads: a line `R<digit>` switches to raw mode for that many
/// bytes, then back to line mode with the rest; a line `P` pauses (the harness resumes after the
/// read); a line `C` clears the buffer.
final class Recorder: LineReceiver {
    enum Event: Equatable { case line([UInt8]), raw([UInt8]), exceeded([UInt8]), cleared([UInt8]) }
    var events: [Event] = []
    var rawLeft = 0

    override func lineReceived(_ line: ArraySlice<UInt8>) throws {
        events.append(.line(Array(line)))
        if line.count == 2, line.first == UInt8(ascii: "R"), let digit = line.last, (48...57).contains(digit) {
            rawLeft = Int(digit - 48)
            if rawLeft > 0 { setRawMode() }
        } else if line.elementsEqual("P".utf8) {
            pauseProducing()
        } else if line.elementsEqual("C".utf8) {
            events.append(.cleared(clearLineBuffer()))
        }
    }

    override func rawDataReceived(_ data: ArraySlice<UInt8>) throws {
        let take = min(rawLeft, data.count)
        events.append(.raw(Array(data.prefix(take))))
        rawLeft -= take
        if rawLeft == 0 { try setLineMode(extra: data.dropFirst(take)) }
    }

    override func lineLengthExceeded(_ data: [UInt8]) {
        events.append(.exceeded(data))
        super.lineLengthExceeded(data)
    }
}

/// Merges consecutive raw events (raw data may arrive in any number of pieces) and cleared
/// events (what is cleared depends on the read boundaries, so only the fact is compared).
func canonical(_ events: [Recorder.Event]) -> [Recorder.Event] {
    var result: [Recorder.Event] = []
    for event in events {
        switch (result.last, event) {
        case (.raw(let a)?, .raw(let b)):
            result[result.count - 1] = .raw(a + b)
        case (_, .raw(let b)) where b.isEmpty:
            continue
        default:
            result.append(event)
        }
    }
    return result
}

/// Invariants, for every input and every splitting into reads:
/// - lines never contain the delimiter and never exceed the limit;
/// - unless a buffer was cleared, lines plus delimiters and raw data re-form a prefix of the
///   stream, and the same events come out under every splitting.
func fuzzLine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    var outcomes: [[Recorder.Event]] = []
    for reads in input.splittings {
        let receiver = Recorder()
        receiver.maxLength = 40
        feed(receiver, reads, afterEachRead: { while receiver.isPaused { receiver.resumeProducing() } })
        var rebuilt: [UInt8] = []
        var comparable = true
        for event in receiver.events {
            switch event {
            case .line(let line):
                require(line.count <= 40, "a line over maxLength was delivered")
                require(line.firstRange(of: [13, 10]) == nil, "a line contains the delimiter")
                rebuilt += line + [13, 10]
            case .raw(let raw): rebuilt += raw
            case .exceeded, .cleared: comparable = false
            }
        }
        if comparable {
            require(input.stream.starts(with: rebuilt), "delivered bytes that were not sent, in another order")
            outcomes.append(canonical(receiver.events))
        }
    }
    for outcome in outcomes.dropFirst() {
        require(outcome == outcomes[0], "splitting changed the events")
    }
    return 0
}
