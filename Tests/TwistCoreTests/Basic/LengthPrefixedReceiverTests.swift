import Testing
import TwistCore
import TwistTesting
import TwistTestSupport

/// Records strings for any prefix width.
final class PrefixedRecorder: LengthPrefixedReceiver {
    var strings: [[UInt8]] = []
    var exceededLengths: [Int] = []
    var onString: ((PrefixedRecorder, ArraySlice<UInt8>) throws -> Void)?

    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        strings.append(Array(string))
        try onString?(self, string)
    }

    override func lengthLimitExceeded(_ length: Int) {
        exceededLengths.append(length)
        super.lengthLimitExceeded(length)
    }
}

@Suite struct LengthPrefixedReceiverTests {
    static func connected(prefix: Int, maxLength: Int? = nil) -> (PrefixedRecorder, StringTransport) {
        let receiver = PrefixedRecorder(prefixLength: prefix)
        if let maxLength { receiver.maxLength = maxLength }
        let transport = StringTransport()
        transport.connect(receiver)
        return (receiver, transport)
    }

    @Test func theWireFormatIsABigEndianPrefixThenThePayload() throws {
        for (prefix, header) in [(4, [0, 0, 0, 3]), (2, [0, 3]), (1, [3])] as [(Int, [UInt8])] {
            let (receiver, transport) = Self.connected(prefix: prefix)
            try receiver.sendString(Array("foo".utf8))
            #expect(transport.value == header + Array("foo".utf8))
        }
        let (big, transport) = Self.connected(prefix: 4)
        try big.sendString([UInt8](repeating: 1, count: 0x1_0203))
        #expect(Array(transport.value.prefix(4)) == [0, 1, 2, 3])
    }

    @Test func theSubclassesHaveTheirPrefixWidths() {
        #expect(Int32StringReceiver().prefixLength == 4)
        #expect(Int16StringReceiver().prefixLength == 2)
        #expect(Int8StringReceiver().prefixLength == 1)
        #expect(Int16StringReceiver().prefixLimit == 65_535)
    }

    @Test(arguments: [1, 2, 4])
    func everyChunkingReassemblesTheSameStrings(prefix: Int) throws {
        let strings = ["", "a", "hello", String(repeating: "z", count: 200)].map { Array($0.utf8) }
        let (sender, wire) = Self.connected(prefix: prefix)
        for string in strings { try sender.sendString(string) }
        for size in 1...9 {
            let (receiver, _) = Self.connected(prefix: prefix)
            for chunk in chunks(of: wire.value, size: size) { try receiver.dataReceived(chunk) }
            #expect(receiver.strings == strings, "chunk size \(size)")
        }
    }

    @Test func sendingAStringTooLongForThePrefixThrowsAndSendsNothing() {
        let (int8, transport8) = Self.connected(prefix: 1)
        #expect(throws: StringTooLongError(length: 256, limit: 255)) {
            try int8.sendString([UInt8](repeating: 0, count: 256))
        }
        #expect(transport8.value.isEmpty)
        let (int16, _) = Self.connected(prefix: 2)
        #expect(throws: StringTooLongError(length: 65_536, limit: 65_535)) {
            try int16.sendString([UInt8](repeating: 0, count: 65_536))
        }
        #expect(throws: Never.self) { try int16.sendString([UInt8](repeating: 0, count: 65_535)) }
    }

    @Test func aPrefixAboveMaxLengthIsRefusedAsSoonAsItIsReadEvenIfTheStringIsThere() throws {
        let (receiver, transport) = Self.connected(prefix: 4, maxLength: 10)
        try receiver.dataReceived([0, 0, 0, 11][...])
        #expect(receiver.exceededLengths == [11])
        #expect(transport.isDisconnecting)
        try receiver.dataReceived(Array(repeating: UInt8(ascii: "x"), count: 11)[...])
        #expect(receiver.strings.isEmpty)

        let (whole, _) = Self.connected(prefix: 4, maxLength: 10)
        try whole.dataReceived(([0, 0, 0, 11] + Array(repeating: 120, count: 11) + [0, 0, 0, 1, 65])[...])
        #expect(whole.strings.isEmpty)
        #expect(whole.exceededLengths == [11])
        #expect(whole.brokenPeer)
    }

    @Test func aHugeInt32PrefixIsRefusedWithoutWaitingForData() throws {
        let (receiver, _) = Self.connected(prefix: 4)
        try receiver.dataReceived([0xff, 0xff, 0xff, 0xff][...])
        #expect(receiver.exceededLengths == [4_294_967_295])
    }

    @Test func stringsBeforeTheOversizedOneAreDelivered() throws {
        let (receiver, _) = Self.connected(prefix: 2, maxLength: 3)
        try receiver.dataReceived([0, 1, 65, 0, 4, 66, 66, 66, 66, 0, 1, 67][...])
        #expect(receiver.strings == [[65]])
        #expect(receiver.exceededLengths == [4])
    }

    @Test func noStringIsDeliveredOnceDisconnecting() throws {
        let (receiver, _) = Self.connected(prefix: 1)
        receiver.onString = { receiver, _ in receiver.transport?.loseConnection() }
        try receiver.dataReceived([1, 65, 1, 66][...])
        try receiver.dataReceived([1, 67][...])
        #expect(receiver.strings == [[65]])
    }

    @Test func pausingHoldsStringsUntilResumed() throws {
        let (receiver, transport) = Self.connected(prefix: 1)
        receiver.onString = { receiver, string in if string.first == 80 { receiver.pauseProducing() } }
        try receiver.dataReceived([1, 65, 1, 80, 1, 66, 2, 67][...])
        #expect(receiver.strings == [[65], [80]])
        #expect(transport.producerState == .paused)
        try receiver.dataReceived([68, 1, 69][...])
        #expect(receiver.strings == [[65], [80]])
        receiver.resumeProducing()
        #expect(receiver.strings == [[65], [80], [66], [67, 68], [69]])
    }

    @Test func dataFedFromInsideStringReceivedIsParsedAfterTheCurrentRead() throws {
        let (receiver, _) = Self.connected(prefix: 1)
        receiver.onString = { receiver, string in
            if string.first == 65 { try receiver.dataReceived([1, 90][...]) }
        }
        try receiver.dataReceived([1, 65, 1, 66][...])
        #expect(receiver.strings == [[65], [66], [90]])
    }

    @Test func theBaseHandlerThrows() {
        let receiver = Int32StringReceiver()
        StringTransport().connect(receiver)
        #expect(throws: HandlerNotImplemented.self) { try receiver.dataReceived([0, 0, 0, 0][...]) }
    }

    @Test func aStringWholeInOneReadIsAViewOfThatRead() throws {
        final class Viewer: Int16StringReceiver {
            var views: [ArraySlice<UInt8>] = []
            override func stringReceived(_ string: ArraySlice<UInt8>) throws { views.append(string) }
        }
        let receiver = Viewer()
        StringTransport().connect(receiver)
        let read: [UInt8] = [0, 2, 1, 2, 0, 1, 3]
        try receiver.dataReceived(read[...])
        let base = read.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(receiver.views.map { $0.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } } == [base + 2, base + 6])
    }
}
