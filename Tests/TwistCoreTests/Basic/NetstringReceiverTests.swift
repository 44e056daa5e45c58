import Testing
import TwistCore
import TwistTesting
import TwistTestSupport

/// Records what a NetstringReceiver delivers and reports.
final class NetstringRecorder: NetstringReceiver {
    var strings: [[UInt8]] = []
    var errors: [NetstringParseError] = []
    /// Runs after each string is recorded.
    var onString: ((NetstringRecorder, ArraySlice<UInt8>) throws -> Void)?

    var texts: [String] { strings.map { String(decoding: $0, as: UTF8.self) } }

    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        strings.append(Array(string))
        try onString?(self, string)
    }

    override func netstringParseFailed(_ error: NetstringParseError) {
        errors.append(error)
        super.netstringParseFailed(error)
    }
}

func connectedRecorder(maxLength: Int? = nil) -> (NetstringRecorder, StringTransport) {
    let receiver = NetstringRecorder()
    if let maxLength { receiver.maxLength = maxLength }
    let transport = StringTransport()
    transport.connect(receiver)
    return (receiver, transport)
}

extension NetstringReceiver {
    func feed(_ text: String) throws { try dataReceived(Array(text.utf8)[...]) }
}

@Suite struct NetstringReceiverTests {
    static let strings = ["hello", "world", "how", "are", "you123", ":today", String(repeating: "a", count: 515)]

    // MARK: wire format and reassembly (items 79, 84, 85)

    @Test(arguments: 1...9)
    func everyChunkSizeReassemblesTheSameStrings(chunkSize: Int) throws {
        let sender = StringTransport()
        let encoder = NetstringRecorder()
        encoder.makeConnection(sender)
        for string in Self.strings { encoder.sendString(Array(string.utf8)) }

        let (receiver, _) = connectedRecorder()
        for chunk in chunks(of: sender.value, size: chunkSize) { try receiver.dataReceived(chunk) }
        #expect(receiver.texts == Self.strings)
        #expect(receiver.errors.isEmpty)
    }

    @Test func sendStringWritesLengthColonPayloadComma() {
        let (receiver, transport) = connectedRecorder()
        receiver.sendString(Array("abc".utf8))
        receiver.sendString([UInt8]())
        receiver.sendString(Array(repeating: UInt8(ascii: "x"), count: 12))
        #expect(transport.valueString == "3:abc,0:,12:xxxxxxxxxxxx,")
    }

    @Test func sendStringDoesNotEnforceMaxLength() {
        let (receiver, transport) = connectedRecorder(maxLength: 2)
        receiver.sendString(Array("abcd".utf8))
        #expect(transport.valueString == "4:abcd,")
    }

    @Test func emptyOneAndTwoCharacterNetstrings() throws {
        let (receiver, _) = connectedRecorder()
        try receiver.feed("0:,1:a,2:ab,")
        #expect(receiver.texts == ["", "a", "ab"])
    }

    @Test func portionsAcrossReadsIncludingSplitDigits() throws {
        let (receiver, _) = connectedRecorder()
        for part in ["1", "0:a", "bcdefghij", ",", "4:", "abcd", ",1:x,", "2"] { try receiver.feed(part) }
        try receiver.feed(":ok,")
        #expect(receiver.texts == ["abcdefghij", "abcd", "x", "ok"])
    }

    @Test func payloadMayContainColonsAndCommasAndNestedNetstrings() throws {
        let (receiver, _) = connectedRecorder()
        try receiver.feed("9:3:abc,,1:,")
        try receiver.feed("2:,:,")
        #expect(receiver.texts == ["3:abc,,1:", ",:"])
    }

    // MARK: limits (items 80, 81)

    @Test func aLengthEqualToMaxLengthIsAcceptedAndOneMoreIsRefused() throws {
        let (accepting, _) = connectedRecorder(maxLength: 50)
        try accepting.feed("50:" + String(repeating: "x", count: 50) + ",")
        #expect(accepting.strings.count == 1)

        let (refusing, transport) = connectedRecorder(maxLength: 50)
        try refusing.feed("51:" + String(repeating: "x", count: 51) + ",")
        #expect(refusing.strings.isEmpty)
        #expect(refusing.errors.map(\.kind) == [.lengthTooLarge(limit: 50)])
        #expect(refusing.errors.first?.offset == 1)
        #expect(transport.isDisconnecting)
    }

    @Test func aHugeLengthIsRefusedWhileItsDigitsAreStillArriving() throws {
        let (receiver, transport) = connectedRecorder()
        var fed = 0
        for digit in "9999999999999999999999" {
            try receiver.feed(String(digit))
            fed += 1
            if transport.isDisconnecting { break }
        }
        // 99,999 is still acceptable; the sixth 9 makes it too large.
        #expect(fed == 6)
        #expect(receiver.errors.map(\.kind) == [.lengthTooLarge(limit: 99_999)])
        #expect(receiver.errors.first?.offset == 5)
        #expect(receiver.brokenPeer)
    }

    @Test func maxLengthCanBeRaisedPastTheDefault() throws {
        let (receiver, _) = connectedRecorder(maxLength: 200_000)
        let payload = [UInt8](repeating: 7, count: 150_000)
        let frame = Array("150000:".utf8) + payload + [UInt8(ascii: ",")]
        for chunk in chunks(of: frame, size: 65_536) { try receiver.dataReceived(chunk) }
        #expect(receiver.strings == [payload])
    }

    // MARK: malformed input (items 82, 83)

    static let malformed: [(input: String, kind: NetstringParseError.Kind, offset: Int)] = [
        (":aaa,", .expectedDigit(found: UInt8(ascii: ":")), 0),
        ("aaa,", .expectedDigit(found: UInt8(ascii: "a")), 0),
        ("aaa", .expectedDigit(found: UInt8(ascii: "a")), 0),
        ("3aaa,", .expectedColon(found: UInt8(ascii: "a")), 1),
        ("01:a,", .leadingZero, 1),
        ("00:,", .leadingZero, 1),
        ("4:abcde", .expectedComma(found: UInt8(ascii: "e")), 6),
        ("2:aaa,", .expectedComma(found: UInt8(ascii: "a")), 4),
        ("0:a,", .expectedComma(found: UInt8(ascii: "a")), 2),
        ("12\n", .expectedColon(found: UInt8(ascii: "\n")), 2),
        ("-1:a,", .expectedDigit(found: UInt8(ascii: "-")), 0),
        (" 1:a,", .expectedDigit(found: UInt8(ascii: " ")), 0),
    ]

    @Test(arguments: malformed)
    func malformedInputIsReportedOnceAndClosesGracefully(input: String, kind: NetstringParseError.Kind, offset: Int) throws {
        for chunkSize in [1, 2, input.utf8.count] {
            let (receiver, transport) = connectedRecorder()
            for chunk in chunks(of: Array(input.utf8), size: chunkSize) { try receiver.dataReceived(chunk) }
            #expect(receiver.strings.isEmpty)
            #expect(receiver.errors == [NetstringParseError(kind, offset: offset)], "chunk size \(chunkSize)")
            #expect(transport.isDisconnecting)
            #expect(!transport.isDisconnected, "the close is graceful, not an abort")
            #expect(receiver.brokenPeer)
        }
    }

    @Test func stringsBeforeTheErrorInTheSameReadAreDeliveredAndNothingAfter() throws {
        let (receiver, transport) = connectedRecorder()
        try receiver.feed("1:a,2:bb,3:cc,3:ddd,4:eeee,")
        #expect(receiver.texts == ["a", "bb"])
        #expect(receiver.errors.count == 1)
        #expect(transport.isDisconnecting)
        try receiver.feed("1:f,")
        #expect(receiver.texts == ["a", "bb"], "a broken peer is not parsed any further")
        #expect(receiver.errors.count == 1)
    }

    @Test func writesQueuedBeforeTheErrorStayQueued() throws {
        let (receiver, transport) = connectedRecorder()
        receiver.onString = { receiver, string in receiver.sendString(string) }
        try receiver.feed("2:ok,x")
        #expect(transport.valueString == "2:ok,")
        #expect(transport.isDisconnecting && !transport.isDisconnected)
    }

    @Test func theDefaultHookLogsOneWarningThroughTheFactoryLogger() throws {
        let capture = LogCapture()
        let factory = Factory { NetstringRecorder() }
        factory.logger = capture.logger()
        let receiver = NetstringRecorder()
        receiver.factory = factory
        StringTransport().connect(receiver)
        try receiver.feed("x")
        let warnings = capture.records.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("expected a length digit, found 'x'") == true)
        #expect(warnings.first?.message.contains("192.168.1.1") == true)
    }

    @Test func errorDescriptionsNameTheOffendingByte() {
        #expect("\(NetstringParseError(.expectedComma(found: 0), offset: 9))"
            == "malformed netstring at byte 9: expected ',' after the payload, found 0x00")
        #expect("\(NetstringParseError(.expectedColon(found: UInt8(ascii: "z")), offset: 3))"
            == "malformed netstring at byte 3: expected ':' after the length, found 'z' (0x7a)")
    }

    // MARK: disconnecting, reentrancy, the base handler (items 86, 87)

    @Test func noStringIsDeliveredOnceTheTransportIsDisconnecting() throws {
        let (receiver, transport) = connectedRecorder()
        receiver.onString = { receiver, _ in receiver.transport?.loseConnection() }
        try receiver.feed("1:a,1:b,1:c,")
        #expect(receiver.texts == ["a"])
        #expect(transport.isDisconnecting)
        #expect(receiver.errors.isEmpty)
    }

    @Test func dataFedFromInsideStringReceivedIsParsedAfterTheCurrentRead() throws {
        let (receiver, _) = connectedRecorder()
        receiver.onString = { receiver, string in
            if string.elementsEqual("a".utf8) { try receiver.feed("1:z,") }
        }
        try receiver.feed("1:a,1:b,")
        #expect(receiver.texts == ["a", "b", "z"])
    }

    @Test func theBaseStringReceivedThrowsSoTheConnectionCloses() throws {
        let receiver = NetstringReceiver()
        StringTransport().connect(receiver)
        #expect(throws: HandlerNotImplemented.self) { try receiver.feed("1:a,") }
    }

    @Test func anErrorThrownByStringReceivedPropagatesToTheTransport() throws {
        struct Refused: Error {}
        let (receiver, _) = connectedRecorder()
        receiver.onString = { _, _ in throw Refused() }
        #expect(throws: Refused.self) { try receiver.feed("1:a,1:b,") }
        #expect(receiver.texts == ["a"])
    }

    // MARK: zero copy

    @Test func aPayloadWholeInOneReadIsAViewOfThatRead() throws {
        final class Viewer: NetstringReceiver {
            var views: [ArraySlice<UInt8>] = []
            override func stringReceived(_ string: ArraySlice<UInt8>) throws { views.append(string) }
        }
        let receiver = Viewer()
        StringTransport().connect(receiver)
        let read = Array("5:hello,3:abc,".utf8)
        try receiver.dataReceived(read[...])
        let base = read.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let starts = receiver.views.map { view in view.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(starts == [base + 2, base + 10])
    }
}
