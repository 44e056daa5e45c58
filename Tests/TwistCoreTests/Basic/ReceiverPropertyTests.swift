import Testing
import TwistCore
import TwistTesting
import TwistTestSupport

/// Properties every receiver must have, on random input from seeded generators:
/// - a stream of valid messages yields exactly those messages, however it is split into reads;
/// - a stream corrupted at one frame yields exactly the messages before that frame, then a
///   graceful close — never a message that was not sent.
@Suite struct ReceiverPropertyTests {
    /// One receiver kind: how to encode messages for it, and how to run one over some reads.
    struct Kind: CustomTestStringConvertible, Sendable {
        let testDescription: String
        /// Random valid messages for this framing.
        let messages: @Sendable (inout SeededGenerator) -> [[UInt8]]
        /// The bytes of one message on the wire.
        let encode: @Sendable ([UInt8]) -> [UInt8]
        /// Ways to break one frame so that it must be refused: (name, the broken frame).
        let corruptions: @Sendable ([UInt8], inout SeededGenerator) -> [(String, [UInt8])]
        /// Feeds the reads to a fresh receiver; returns what it delivered and whether it closed.
        let run: @Sendable ([ArraySlice<UInt8>]) throws -> (messages: [[UInt8]], closed: Bool)
    }

    static let maxLength = 300

    static func randomPayloads(_ random: inout SeededGenerator, alphabet: [UInt8]? = nil) -> [[UInt8]] {
        (0..<Int.random(in: 1...40, using: &random)).map { _ in
            let count = Int.random(in: 0...maxLength, using: &random)
            if let alphabet {
                return (0..<count).map { _ in alphabet.randomElement(using: &random)! }
            }
            return .random(count: count, using: &random)
        }
    }

    static let netstring = Kind(
        testDescription: "NetstringReceiver",
        messages: { randomPayloads(&$0) },
        encode: { Array("\($0.count):".utf8) + $0 + [UInt8(ascii: ",")] },
        corruptions: { payload, random in
            let frame = Array("\(payload.count):".utf8) + payload + [UInt8(ascii: ",")]
            let colon = frame.firstIndex(of: UInt8(ascii: ":"))!
            var noComma = frame
            noComma[frame.count - 1] = UInt8.random(in: 0...255, using: &random) | 1  // odd: never ',' (0x2c)
            var noColon = frame
            noColon[colon] = UInt8(ascii: "x")
            return [
                ("letter first", Array("x".utf8) + frame),
                ("leading zero", payload.isEmpty ? Array("00:,".utf8) : [UInt8(ascii: "0")] + frame),
                ("no colon", noColon),
                ("no comma", noComma),
                ("too long", Array("\(maxLength + 1):".utf8) + [UInt8](repeating: 97, count: maxLength + 1) + [44]),
            ]
        },
        run: { reads in
            let receiver = NetstringRecorder()
            receiver.maxLength = maxLength
            let transport = StringTransport()
            transport.connect(receiver)
            for read in reads { try receiver.dataReceived(read) }
            return (receiver.strings, transport.isDisconnecting)
        }
    )

    static let lines = Kind(
        testDescription: "LineReceiver",
        // A small alphabet with both delimiter bytes, so split delimiters happen often.
        messages: { random in
            randomPayloads(&random, alphabet: Array("ab\r\n:,".utf8)).map { line in
                var cleaned = line
                while let range = cleaned.firstRange(of: [13, 10]) { cleaned.removeSubrange(range) }
                if cleaned.last == 13 { cleaned.removeLast() }
                return cleaned
            }
        },
        encode: { $0 + [13, 10] },
        corruptions: { _, _ in
            [("too long", [UInt8](repeating: 120, count: maxLength + 1) + [13, 10])]
        },
        run: { reads in
            let receiver = LineRecorder()
            receiver.maxLength = maxLength
            let transport = StringTransport()
            transport.connect(receiver)
            for read in reads { try receiver.dataReceived(read) }
            return (receiver.lines.map { Array($0.utf8) }, transport.isDisconnecting)
        }
    )

    static let int16 = Kind(
        testDescription: "Int16StringReceiver",
        messages: { randomPayloads(&$0) },
        encode: { [UInt8($0.count >> 8), UInt8($0.count & 0xff)] + $0 },
        corruptions: { _, _ in [("too long", [0xff, 0xff])] },
        run: { reads in
            let receiver = PrefixedRecorder(prefixLength: 2)
            receiver.maxLength = maxLength
            let transport = StringTransport()
            transport.connect(receiver)
            for read in reads { try receiver.dataReceived(read) }
            return (receiver.strings, transport.isDisconnecting)
        }
    )

    static func splittings(of stream: [UInt8], using random: inout SeededGenerator) -> [(String, [ArraySlice<UInt8>])] {
        [
            ("one byte at a time", chunks(of: stream, size: 1)),
            ("random up to 7", randomChunks(of: stream, maxSize: 7, using: &random)),
            ("random up to 400", randomChunks(of: stream, maxSize: 400, using: &random)),
            ("whole", [stream[...]]),
        ]
    }

    @Test(arguments: [netstring, lines, int16], 1...6 as ClosedRange<UInt64>)
    func everySplittingYieldsExactlyTheMessagesSent(kind: Kind, seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let messages = kind.messages(&random)
        let stream = messages.flatMap(kind.encode)
        for (name, reads) in Self.splittings(of: stream, using: &random) {
            let result = try kind.run(reads)
            #expect(result.messages == messages, "\(name)")
            #expect(!result.closed, "\(name)")
        }
    }

    @Test(arguments: [netstring, lines, int16], 1...6 as ClosedRange<UInt64>)
    func aCorruptedFrameClosesAfterExactlyTheMessagesBeforeIt(kind: Kind, seed: UInt64) throws {
        var random = SeededGenerator(state: seed &+ 1000)
        let messages = kind.messages(&random)
        let broken = Int.random(in: 0..<messages.count, using: &random)
        for (corruption, frame) in kind.corruptions(messages[broken], &random) {
            let stream = messages[..<broken].flatMap(kind.encode) + frame + messages[broken...].flatMap(kind.encode)
            for (name, reads) in Self.splittings(of: stream, using: &random) {
                let result = try kind.run(reads)
                #expect(result.messages == Array(messages[..<broken]), "\(corruption), \(name)")
                #expect(result.closed, "\(corruption), \(name)")
            }
        }
    }
}
