import Testing
import TwistCore
import TwistTesting

/// The receivers' senders hand long array payloads to the transport by reference (no copy), and
/// frame everything else in one write; either way the bytes on the wire are the same.
@Suite struct FrameWriterTests {
    /// A transport that records each write: copied (`write(copying:)`), by reference (with the
    /// address of the slice's first byte), or a `writeSequence` of such parts.
    final class RecordingTransport: Transport {
        enum Write: Equatable {
            case copied([UInt8])
            case referenced([UInt8], at: UnsafeRawPointer?)
            indirect case sequence([Write])

            var bytes: [UInt8] {
                switch self {
                case .copied(let bytes), .referenced(let bytes, _): bytes
                case .sequence(let parts): parts.flatMap(\.bytes)
                }
            }

            static func of(_ data: ArraySlice<UInt8>) -> Write {
                .referenced(Array(data), at: data.withUnsafeBytes { $0.baseAddress })
            }
        }

        var writes: [Write] = []
        var bytes: [UInt8] { writes.flatMap(\.bytes) }

        func write(_ data: ArraySlice<UInt8>) { writes.append(.of(data)) }
        func writeSequence(_ chunks: [ArraySlice<UInt8>]) { writes.append(.sequence(chunks.map(Write.of))) }
        func write(copying bytes: UnsafeRawBufferPointer) { writes.append(.copied(Array(bytes))) }
        func loseConnection() {}
        func abortConnection() {}
        var host: Address { .ipv4("127.0.0.1", 1) }
        var peer: Address { .ipv4("127.0.0.1", 2) }
        var isDisconnecting: Bool { false }
        func registerProducer(_ producer: RegisteredProducer) throws {}
        func unregisterProducer() {}
        func pauseProducing() {}
        func resumeProducing() {}
        func stopProducing() {}
    }

    private func payload(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) } }

    private func netstring(_ bytes: [UInt8]) -> [UInt8] { Array("\(bytes.count):".utf8) + bytes + [UInt8(ascii: ",")] }

    private func connected(_ receiver: Protocol) -> RecordingTransport {
        let transport = RecordingTransport()
        receiver.makeConnection(transport)
        return transport
    }

    /// The parts of the one `writeSequence` a long array payload goes out in, without the
    /// addresses of the copied header and trailer.
    private func parts(_ write: RecordingTransport.Write?) -> [[UInt8]] {
        guard case .sequence(let parts) = write else { return [] }
        return parts.map(\.bytes)
    }

    @Test func aLongArraySliceGoesByReferenceBetweenItsLengthAndCommaInOneWriteSequence() {
        let receiver = NetstringReceiver()
        let transport = connected(receiver)
        let storage = payload(5_000)
        let slice = storage[100..<4_100]
        receiver.sendString(slice)
        #expect(transport.writes.count == 1)
        #expect(parts(transport.writes.first) == [Array("4000:".utf8), Array(slice), [UInt8(ascii: ",")]])
        guard case .sequence(let written) = transport.writes.first, written.count == 3 else { return }
        #expect(written[1] == .referenced(Array(slice), at: slice.withUnsafeBytes { $0.baseAddress }))
        #expect(transport.bytes == netstring(Array(slice)))
    }

    @Test func aLongArrayIsReferencedTooAndOtherCollectionsAreFramedOnce() {
        let receiver = NetstringReceiver()
        let transport = connected(receiver)
        let array = payload(1_001)
        receiver.sendString(array)
        #expect(parts(transport.writes.first) == [Array("1001:".utf8), array, [UInt8(ascii: ",")]])
        #expect(transport.bytes == netstring(array))
        transport.writes = []
        let generated = (0..<2_000).lazy.map { UInt8(truncatingIfNeeded: $0) }
        receiver.sendString(generated)
        #expect(transport.writes.count == 1)
        #expect(transport.bytes == netstring(Array(generated)))
    }

    @Test func aShortPayloadIsOneCopiedWriteWhateverItsType() {
        let receiver = NetstringReceiver()
        let transport = connected(receiver)
        receiver.sendString(payload(1_000))
        receiver.sendString(payload(1_000)[...])
        receiver.sendString([])
        #expect(transport.writes == [
            .copied(netstring(payload(1_000))), .copied(netstring(payload(1_000))), .copied(Array("0:,".utf8)),
        ])
    }

    @Test func lengthPrefixedStringsKeepTheirBigEndianPrefixOnBothPaths() throws {
        let receiver = LengthPrefixedReceiver(prefixLength: 4)
        let transport = connected(receiver)
        let long = payload(70_000)
        try receiver.sendString(long[...])
        #expect(parts(transport.writes.first) == [[0, 1, 0x11, 0x70], long])  // no trailer
        #expect(transport.bytes == [0, 1, 0x11, 0x70] + long)
        transport.writes = []
        try receiver.sendString(payload(3))
        #expect(transport.writes == [.copied([0, 0, 0, 3] + payload(3))])
    }

    @Test func longLinesAreReferencedAndFollowedByTheDelimiter() {
        let lines = LineOnlyReceiver()
        let transport = connected(lines)
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 1_500)
        lines.sendLine(line[...])
        #expect(parts(transport.writes.first) == [line, lines.delimiter])  // no header
        #expect(transport.bytes == line + Array(lines.delimiter))
        transport.writes = []
        let mixed = LineReceiver()
        let other = connected(mixed)
        mixed.sendLine(Array("short".utf8))
        #expect(other.writes == [.copied(Array("short".utf8) + Array(mixed.delimiter))])
    }
}
