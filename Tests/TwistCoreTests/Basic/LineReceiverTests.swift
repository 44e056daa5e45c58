import Testing
import TwistCore
import TwistTesting
import TwistTestSupport

/// Records lines; a line "raw N" switches to raw mode for the next N bytes, then back to lines.
final class LineRecorder: LineReceiver {
    var lines: [String] = []
    var raw: [UInt8] = []
    var exceeded: [[UInt8]] = []
    var rawRemaining = 0
    var onLine: ((LineRecorder, String) throws -> Void)?

    override func lineReceived(_ line: ArraySlice<UInt8>) throws {
        let text = String(decoding: line, as: UTF8.self)
        lines.append(text)
        if text.hasPrefix("raw "), let count = Int(text.dropFirst(4)) {
            rawRemaining = count
            setRawMode()
        }
        try onLine?(self, text)
    }

    override func rawDataReceived(_ data: ArraySlice<UInt8>) throws {
        let take = min(rawRemaining, data.count)
        raw.append(contentsOf: data.prefix(take))
        rawRemaining -= take
        if rawRemaining == 0 { try setLineMode(extra: data.dropFirst(take)) }
    }

    override func lineLengthExceeded(_ data: [UInt8]) {
        exceeded.append(data)
        super.lineLengthExceeded(data)
    }
}

func connectedLineRecorder(maxLength: Int? = nil, delimiter: String? = nil) -> (LineRecorder, StringTransport) {
    let receiver = LineRecorder()
    if let maxLength { receiver.maxLength = maxLength }
    if let delimiter { receiver.delimiter = Array(delimiter.utf8) }
    let transport = StringTransport()
    transport.connect(receiver)
    return (receiver, transport)
}

extension Protocol {
    func feedText(_ text: String) throws { try dataReceived(Array(text.utf8)[...]) }
}

@Suite struct LineReceiverTests {
    static let stream = "len 10\r\n0123456789\r\nhello\r\nraw 5\r\nab\r\ncdone\r\nraw 0\r\n\r\nlast\r\n"

    @Test(arguments: 1...12)
    func everyChunkSizeDeliversTheSameLinesAndRawData(chunkSize: Int) throws {
        let (receiver, _) = connectedLineRecorder()
        for chunk in chunks(of: Array(Self.stream.utf8), size: chunkSize) { try receiver.dataReceived(chunk) }
        #expect(receiver.lines == ["len 10", "0123456789", "hello", "raw 5", "done", "raw 0", "", "last"])
        #expect(String(decoding: receiver.raw, as: UTF8.self) == "ab\r\nc")
    }

    @Test func sendLineAppendsTheDelimiterInOneWrite() {
        let (receiver, transport) = connectedLineRecorder()
        receiver.sendLine(Array("hi".utf8))
        receiver.delimiter = Array("\n".utf8)
        receiver.sendLine([UInt8]())
        #expect(transport.valueString == "hi\r\n\n")
    }

    @Test func aDelimiterSplitAcrossReadsAndALongerDelimiter() throws {
        let (receiver, _) = connectedLineRecorder(delimiter: "<END>")
        for part in ["one<E", "ND>two<", "E", "ND", "><END>thr", "ee<END"] { try receiver.feedText(part) }
        try receiver.feedText(">")
        #expect(receiver.lines == ["one", "two", "", "three"])
    }

    @Test func aPartialDelimiterThatTurnsOutNotToBeOneStaysInTheLine() throws {
        let (receiver, _) = connectedLineRecorder(delimiter: "<END>")
        try receiver.feedText("a<EN")
        try receiver.feedText("x<END>")
        #expect(receiver.lines == ["a<ENx"])
    }

    // MARK: line length (item 89)

    @Test func aLineLongerThanMaxLengthGoesToLineLengthExceededWithWhatFollows() throws {
        let (receiver, transport) = connectedLineRecorder(maxLength: 3)
        try receiver.feedText("abc\r\nabcd\r\nnext\r\n")
        #expect(receiver.lines == ["abc"])
        #expect(receiver.exceeded == [Array("abcd\r\nnext\r\n".utf8)])
        #expect(transport.isDisconnecting)
    }

    @Test func aLineOfExactlyMaxLengthWithASplitDelimiterIsFine() throws {
        let (receiver, transport) = connectedLineRecorder(maxLength: 4)
        try receiver.feedText("abcd\r")
        try receiver.feedText("\n")
        #expect(receiver.lines == ["abcd"])
        #expect(!transport.isDisconnecting)
    }

    @Test func anUnfinishedLineOfMaxLengthPlusAPartialDelimiterIsFine() throws {
        let (receiver, transport) = connectedLineRecorder(maxLength: 4)
        try receiver.feedText("abcd\r")
        #expect(receiver.exceeded.isEmpty)
        #expect(!transport.isDisconnecting)
    }

    @Test(arguments: [1, 3, 100])
    func unterminatedDataReachingMaxLengthPlusTheDelimiterIsExceeded(chunkSize: Int) throws {
        let (receiver, transport) = connectedLineRecorder(maxLength: 4)
        for chunk in chunks(of: Array("abcdef".utf8), size: chunkSize) { try receiver.dataReceived(chunk) }
        #expect(receiver.exceeded == [Array("abcdef".utf8)])
        #expect(receiver.lines.isEmpty)
        #expect(transport.isDisconnecting)
    }

    @Test func aLongLineAfterShortOnesInOneReadDeliversTheShortOnes() throws {
        let (receiver, _) = connectedLineRecorder(maxLength: 5)
        try receiver.feedText("a\r\nbb\r\n" + String(repeating: "x", count: 9) + "\r\nc\r\n")
        #expect(receiver.lines == ["a", "bb"])
        #expect(receiver.exceeded.count == 1)
    }

    @Test func aLongLineCompletedAcrossReadsIsExceeded() throws {
        let (receiver, _) = connectedLineRecorder(maxLength: 5)
        try receiver.feedText("abcd")
        try receiver.feedText("ef\r\nok\r\n")
        #expect(receiver.lines.isEmpty)
        #expect(receiver.exceeded == [Array("abcdef\r\nok\r\n".utf8)])
    }

    // MARK: disconnecting, pausing, clearing (items 90, 92, 93)

    @Test func noLineIsDeliveredOnceTheTransportIsDisconnecting() throws {
        let (receiver, _) = connectedLineRecorder()
        receiver.onLine = { receiver, line in if line == "stop" { receiver.transport?.loseConnection() } }
        try receiver.feedText("a\r\nstop\r\nb\r\n")
        try receiver.feedText("c\r\n")
        #expect(receiver.lines == ["a", "stop"])
    }

    @Test func pausingHoldsLinesUntilResumed() throws {
        let (receiver, transport) = connectedLineRecorder()
        receiver.onLine = { receiver, line in if line == "pause" { receiver.pauseProducing() } }
        try receiver.feedText("a\r\npause\r\nb\r\nc")
        #expect(receiver.lines == ["a", "pause"])
        #expect(transport.producerState == .paused)
        try receiver.feedText("\r\nd\r\n")
        #expect(receiver.lines == ["a", "pause"])
        receiver.resumeProducing()
        #expect(transport.producerState == .producing)
        #expect(receiver.lines == ["a", "pause", "b", "c", "d"])
    }

    @Test func pausingInRawModeHoldsRawDataToo() throws {
        final class RawPauser: LineReceiver {
            var raw: [String] = []
            override func lineReceived(_ line: ArraySlice<UInt8>) throws { setRawMode() }
            override func rawDataReceived(_ data: ArraySlice<UInt8>) throws {
                raw.append(String(decoding: data, as: UTF8.self))
            }
        }
        let receiver = RawPauser()
        StringTransport().connect(receiver)
        try receiver.feedText("go\r\nxyz")
        receiver.pauseProducing()
        try receiver.feedText("held")
        #expect(receiver.raw == ["xyz"])
        receiver.resumeProducing()
        #expect(receiver.raw == ["xyz", "held"])
    }

    @Test func stopProducingStopsDeliveryForGood() throws {
        let (receiver, transport) = connectedLineRecorder()
        receiver.onLine = { receiver, line in if line == "stop" { receiver.stopProducing() } }
        try receiver.feedText("stop\r\nafter\r\n")
        receiver.resumeProducing()
        #expect(receiver.lines == ["stop"])
        #expect(transport.producerState == .stopped)
    }

    @Test func clearLineBufferFromLineReceivedDiscardsTheRestOfTheRead() throws {
        let (receiver, _) = connectedLineRecorder()
        var cleared: [UInt8] = []
        receiver.onLine = { receiver, line in if line == "clear" { cleared = receiver.clearLineBuffer() } }
        try receiver.feedText("a\r\nclear\r\nb\r\nc")
        #expect(receiver.lines == ["a", "clear"])
        #expect(String(decoding: cleared, as: UTF8.self) == "b\r\nc")
        try receiver.feedText("d\r\n")
        #expect(receiver.lines == ["a", "clear", "d"])
    }

    @Test func clearLineBufferOutsideAReadReturnsTheUnfinishedLine() throws {
        let (receiver, _) = connectedLineRecorder()
        try receiver.feedText("partial")
        #expect(receiver.clearLineBuffer() == Array("partial".utf8))
        try receiver.feedText("x\r\n")
        #expect(receiver.lines == ["x"])
    }

    // MARK: modes (item 91)

    @Test func thousandsOfModeSwitchesInOneReadDoNotRecurse() throws {
        let (receiver, _) = connectedLineRecorder()
        let switches = 20_000
        let text = String(repeating: "raw 1\r\nx", count: switches) + "end\r\n"
        try receiver.feedText(text)
        #expect(receiver.lines.count == switches + 1)
        #expect(receiver.raw.count == switches)
        #expect(receiver.lines.last == "end")
    }

    @Test func setLineModeOutsideAReadParsesItsExtraAtOnce() throws {
        let (receiver, _) = connectedLineRecorder()
        receiver.setRawMode()
        try receiver.setLineMode(extra: Array("a\r\nb".utf8))
        #expect(receiver.lines == ["a"])
        try receiver.feedText("\r\n")
        #expect(receiver.lines == ["a", "b"])
    }

    @Test func rawModeSetOutsideAReadGetsTheHeldPartialLineFirst() throws {
        let (receiver, _) = connectedLineRecorder()
        try receiver.feedText("abc")
        receiver.rawRemaining = 5
        receiver.setRawMode()
        try receiver.feedText("de")
        #expect(String(decoding: receiver.raw, as: UTF8.self) == "abcde")
    }

    @Test func theBaseHandlersThrow() throws {
        let receiver = LineReceiver()
        StringTransport().connect(receiver)
        #expect(throws: HandlerNotImplemented.self) { try receiver.feedText("a\r\n") }
        let raw = LineReceiver()
        StringTransport().connect(raw)
        raw.setRawMode()
        #expect(throws: HandlerNotImplemented.self) { try raw.feedText("a") }
    }

    @Test func aLineWholeInOneReadIsAViewOfThatRead() throws {
        final class Viewer: LineReceiver {
            var views: [ArraySlice<UInt8>] = []
            override func lineReceived(_ line: ArraySlice<UInt8>) throws { views.append(line) }
        }
        let receiver = Viewer()
        StringTransport().connect(receiver)
        let read = Array("ab\r\ncd\r\n".utf8)
        try receiver.dataReceived(read[...])
        let base = read.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(receiver.views.map { $0.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } } == [base, base + 4])
    }
}

@Suite struct LineOnlyReceiverTests {
    final class Recorder: LineOnlyReceiver {
        var lines: [String] = []
        var exceeded: [[UInt8]] = []
        override func lineReceived(_ line: ArraySlice<UInt8>) throws {
            lines.append(String(decoding: line, as: UTF8.self))
            if lines.last == "quit" { transport?.loseConnection() }
        }
        override func lineLengthExceeded(_ line: [UInt8]) {
            exceeded.append(line)
            super.lineLengthExceeded(line)
        }
    }

    static let stream = "first line\r\nsecond\r\n\r\nfourth : with, punctuation\r\nlast"

    @Test(arguments: 1...10)
    func everyChunkSizeDeliversTheSameLines(chunkSize: Int) throws {
        let receiver = Recorder()
        StringTransport().connect(receiver)
        for chunk in chunks(of: Array(Self.stream.utf8), size: chunkSize) { try receiver.dataReceived(chunk) }
        #expect(receiver.lines == ["first line", "second", "", "fourth : with, punctuation"])
    }

    @Test func aLineLongerThanMaxLengthDisconnects() throws {
        let receiver = Recorder()
        receiver.maxLength = 8
        let transport = StringTransport()
        transport.connect(receiver)
        try receiver.feedText("ok\r\n" + String(repeating: "x", count: 9) + "\r\nr\r\n")
        #expect(receiver.lines == ["ok"])
        #expect(receiver.exceeded == [Array(repeating: UInt8(ascii: "x"), count: 9)])
        #expect(transport.isDisconnecting)
    }

    @Test(arguments: [1, 4, 64])
    func unterminatedDataLongerThanMaxLengthDisconnects(chunkSize: Int) throws {
        let receiver = Recorder()
        receiver.maxLength = 8
        let transport = StringTransport()
        transport.connect(receiver)
        for chunk in chunks(of: Array(repeating: UInt8(ascii: "y"), count: 9), size: chunkSize) {
            try receiver.dataReceived(chunk)
        }
        #expect(receiver.exceeded.count == 1)
        #expect(transport.isDisconnecting)
    }

    @Test func noLineIsDeliveredOnceDisconnecting() throws {
        let receiver = Recorder()
        StringTransport().connect(receiver)
        try receiver.feedText("a\r\nquit\r\nb\r\n")
        #expect(receiver.lines == ["a", "quit"])
    }

    @Test func theBaseHandlerThrows() {
        let receiver = LineOnlyReceiver()
        StringTransport().connect(receiver)
        #expect(throws: HandlerNotImplemented.self) { try receiver.feedText("a\r\n") }
    }

    @Test func sendLineAppendsTheDelimiter() {
        let receiver = Recorder()
        let transport = StringTransport()
        transport.connect(receiver)
        receiver.sendLine(Array("x".utf8))
        #expect(transport.valueString == "x\r\n")
    }
}
