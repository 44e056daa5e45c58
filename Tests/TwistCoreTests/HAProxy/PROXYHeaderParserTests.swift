import Testing
import TwistCore

private typealias F = PROXYFixtures

/// One good header and what it parses to.
struct GoodHeader: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    let header: PROXYHeader
    var testDescription: String { name }
}

/// One bad input and the error it must give.
struct BadHeader: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    let error: PROXYHeaderError
    var maximumV2Length = 16 * 1024
    var testDescription: String { name }
}

private let longestTCP6 = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe 65535 65535\r\n"
/// "PROXY UNKNOWN" padded to exactly 107 bytes with its CRLF.
private let longestUnknown = "PROXY UNKNOWN " + String(repeating: "x", count: 107 - 16) + "\r\n"

let goodHeaders: [GoodHeader] = [
    GoodHeader(name: "v1 TCP4", bytes: F.v1("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"),
               header: PROXYHeader(version: .v1, command: .proxy, source: F.ipv4Source, destination: F.ipv4Destination)),
    GoodHeader(name: "v1 TCP6, canonicalised", bytes: F.v1("PROXY TCP6 2001:DB8:0::1 2001:db8::2 5000 80\r\n"),
               header: PROXYHeader(version: .v1, command: .proxy, source: .ipv6("2001:db8::1", 5000), destination: .ipv6("2001:db8::2", 80))),
    GoodHeader(name: "v1 TCP6, longest line", bytes: F.v1(longestTCP6),
               header: PROXYHeader(version: .v1, command: .proxy,
                                   source: .ipv6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535),
                                   destination: .ipv6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535))),
    GoodHeader(name: "v1 ports 0 and leading zero", bytes: F.v1("PROXY TCP4 10.0.0.1 10.0.0.2 0 080\r\n"),
               header: PROXYHeader(version: .v1, command: .proxy, source: .ipv4("10.0.0.1", 0), destination: .ipv4("10.0.0.2", 80))),
    GoodHeader(name: "v1 UNKNOWN", bytes: F.v1("PROXY UNKNOWN\r\n"), header: PROXYHeader(version: .v1, command: .proxy)),
    GoodHeader(name: "v1 UNKNOWN with addresses ignored", bytes: F.v1("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"),
               header: PROXYHeader(version: .v1, command: .proxy)),
    GoodHeader(name: "v1 UNKNOWN of exactly 107 bytes", bytes: F.v1(longestUnknown), header: PROXYHeader(version: .v1, command: .proxy)),
    GoodHeader(name: "v2 IPv4", bytes: F.v2(0x21, 0x11, F.ipv4Block),
               header: PROXYHeader(version: .v2, command: .proxy, source: F.ipv4Source, destination: F.ipv4Destination)),
    GoodHeader(name: "v2 IPv4 with TLVs skipped", bytes: F.v2(0x21, 0x11, F.ipv4Block + F.tlvs),
               header: PROXYHeader(version: .v2, command: .proxy, source: F.ipv4Source, destination: F.ipv4Destination)),
    GoodHeader(name: "v2 IPv4 datagram", bytes: F.v2(0x21, 0x12, F.ipv4Block),
               header: PROXYHeader(version: .v2, command: .proxy, source: F.ipv4Source, destination: F.ipv4Destination)),
    GoodHeader(name: "v2 IPv6", bytes: F.v2(0x21, 0x21, F.ipv6Block),
               header: PROXYHeader(version: .v2, command: .proxy, source: .ipv6("2001:db8::1", 5000), destination: .ipv6("2001:db8::2", 80))),
    GoodHeader(name: "v2 IPv6 with TLVs", bytes: F.v2(0x21, 0x21, F.ipv6Block + F.tlvs),
               header: PROXYHeader(version: .v2, command: .proxy, source: .ipv6("2001:db8::1", 5000), destination: .ipv6("2001:db8::2", 80))),
    GoodHeader(name: "v2 UNIX", bytes: F.v2(0x21, 0x31, F.unixBlock),
               header: PROXYHeader(version: .v2, command: .proxy, source: .unix("/tmp/client.sock"), destination: .unix("/run/server.sock"))),
    GoodHeader(name: "v2 UNIX abstract and unnamed", bytes: F.v2(0x21, 0x31, F.sunPath([0] + Array("name".utf8)) + F.sunPath([])),
               header: PROXYHeader(version: .v2, command: .proxy, source: .unix("\0name"), destination: .unix(.unnamed))),
    GoodHeader(name: "v2 LOCAL", bytes: F.v2(0x20, 0x00, []), header: PROXYHeader(version: .v2, command: .local)),
    GoodHeader(name: "v2 LOCAL ignores its addresses", bytes: F.v2(0x20, 0x11, F.ipv4Block), header: PROXYHeader(version: .v2, command: .local)),
    GoodHeader(name: "v2 LOCAL with a short block", bytes: F.v2(0x20, 0x21, [1, 2, 3]), header: PROXYHeader(version: .v2, command: .local)),
    GoodHeader(name: "v2 PROXY, unspecified family", bytes: F.v2(0x21, 0x00, F.tlvs), header: PROXYHeader(version: .v2, command: .proxy)),
]

let badHeaders: [BadHeader] = [
    BadHeader(name: "HTTP request", bytes: F.v1("GET / HTTP/1.1\r\n"), error: .badSignature),
    BadHeader(name: "lower-case proxy", bytes: F.v1("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), error: .badSignature),
    BadHeader(name: "PROXY without a space", bytes: F.v1("PROXY\r\n"), error: .badSignature),
    BadHeader(name: "v2 signature off by one byte", bytes: F.v2(0x21, 0x11, F.ipv4Block).enumerated().map { $0.offset == 9 ? 0x58 : $0.element },
              error: .badSignature),
    BadHeader(name: "v1 LF without CR", bytes: F.v1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"), error: .missingCRLF),
    BadHeader(name: "v1 without an end", bytes: F.v1("PROXY UNKNOWN " + String(repeating: "a", count: 200)), error: .lineTooLong),
    BadHeader(name: "v1 of 108 bytes", bytes: F.v1("PROXY UNKNOWN " + String(repeating: "x", count: 108 - 16) + "\r\n"), error: .lineTooLong),
    BadHeader(name: "v1 family TCP5", bytes: F.v1("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"), error: .badFamily("'TCP5'")),
    BadHeader(name: "v1 family missing", bytes: F.v1("PROXY \r\n"), error: .badFamily("''")),
    BadHeader(name: "v1 too few fields", bytes: F.v1("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"), error: .malformedLine("PROXY TCP4 1.2.3.4 5.6.7.8 1")),
    BadHeader(name: "v1 too many fields", bytes: F.v1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n"), error: .malformedLine("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 ")),
    BadHeader(name: "v1 double space", bytes: F.v1("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n"), error: .malformedLine("PROXY TCP4  1.2.3.4 5.6.7.8 1 2")),
    BadHeader(name: "v1 empty address", bytes: F.v1("PROXY TCP4  5.6.7.8 1 2\r\n"), error: .badAddress("'' is not a numeric IPv4 address")),
    BadHeader(name: "v1 octet out of range", bytes: F.v1("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n"),
              error: .badAddress("'1.2.3.256' is not a numeric IPv4 address")),
    BadHeader(name: "v1 IPv6 under TCP4", bytes: F.v1("PROXY TCP4 1.2.3.4 ::1 1 2\r\n"), error: .badAddress("'::1' is not a numeric IPv4 address")),
    BadHeader(name: "v1 IPv4 under TCP6", bytes: F.v1("PROXY TCP6 1.2.3.4 ::1 1 2\r\n"), error: .badAddress("'1.2.3.4' is not a numeric IPv6 address")),
    BadHeader(name: "v1 host name", bytes: F.v1("PROXY TCP4 localhost 5.6.7.8 1 2\r\n"), error: .badAddress("'localhost' is not a numeric IPv4 address")),
    BadHeader(name: "v1 bracketed IPv6", bytes: F.v1("PROXY TCP6 [::1] ::2 1 2\r\n"), error: .badAddress("'[::1]' is not a numeric IPv6 address")),
    BadHeader(name: "v1 NUL in an address", bytes: F.v1("PROXY TCP4 1.2.3.4\0 5.6.7.8 1 2\r\n"), error: .badAddress("'1.2.3.4?' is not a numeric IPv4 address")),
    BadHeader(name: "v1 port too large", bytes: F.v1("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"), error: .badPort("65536")),
    BadHeader(name: "v1 negative port", bytes: F.v1("PROXY TCP4 1.2.3.4 5.6.7.8 1 -2\r\n"), error: .badPort("-2")),
    BadHeader(name: "v1 six-digit port", bytes: F.v1("PROXY TCP4 1.2.3.4 5.6.7.8 000001 2\r\n"), error: .badPort("000001")),
    BadHeader(name: "v1 empty port", bytes: F.v1("PROXY TCP4 1.2.3.4 5.6.7.8  2\r\n"), error: .badPort("")),
    BadHeader(name: "v2 version 1", bytes: F.v2(0x11, 0x11, F.ipv4Block), error: .unsupportedVersion(1)),
    BadHeader(name: "v2 version 3", bytes: F.v2(0x31, 0x11, F.ipv4Block), error: .unsupportedVersion(3)),
    BadHeader(name: "v2 command 2", bytes: F.v2(0x22, 0x11, F.ipv4Block), error: .unsupportedCommand(2)),
    BadHeader(name: "v2 command 15", bytes: F.v2(0x2F, 0x11, F.ipv4Block), error: .unsupportedCommand(15)),
    BadHeader(name: "v2 family 4", bytes: F.v2(0x21, 0x41, F.ipv4Block), error: .badFamily("0x41")),
    BadHeader(name: "v2 protocol 3", bytes: F.v2(0x21, 0x13, F.ipv4Block), error: .badFamily("0x13")),
    BadHeader(name: "v2 IPv4 block too short", bytes: F.v2(0x21, 0x11, Array(F.ipv4Block.prefix(11))),
              error: .badAddress("IPv4 addresses need 12 bytes, the header holds 11")),
    BadHeader(name: "v2 IPv6 block too short", bytes: F.v2(0x21, 0x21, F.ipv4Block),
              error: .badAddress("IPv6 addresses need 36 bytes, the header holds 12")),
    BadHeader(name: "v2 UNIX block too short", bytes: F.v2(0x21, 0x31, F.ipv6Block),
              error: .badAddress("UNIX addresses need 216 bytes, the header holds 36")),
    BadHeader(name: "v2 length 65535", bytes: F.v2(0x21, 0x11, F.ipv4Block, length: 0xFFFF), error: .lengthTooLarge(65535, limit: 16384)),
    BadHeader(name: "v2 length over a small limit", bytes: F.v2(0x21, 0x11, F.ipv4Block + F.tlvs),
              error: .lengthTooLarge(23, limit: 22), maximumV2Length: 22),
]

/// Feeds `pieces` one after another; returns the header, the bytes delivered after it (the rest
/// of the piece that completed it, then the later pieces) and the number of calls made.
func feedPieces(
    _ pieces: [ArraySlice<UInt8>], parser: inout PROXYHeaderParser
) throws(PROXYHeaderError) -> (header: PROXYHeader, after: [UInt8])? {
    for (index, piece) in pieces.enumerated() {
        if case .header(let header, let consumed) = try parser.feed(piece) {
            #expect(consumed >= 0 && consumed <= piece.count)
            return (header, Array(piece.dropFirst(consumed)) + pieces[(index + 1)...].flatMap { $0 })
        }
    }
    return nil
}

/// `bytes` cut at each of `cuts` (ascending offsets).
func cut(_ bytes: [UInt8], at cuts: [Int]) -> [ArraySlice<UInt8>] {
    var pieces: [ArraySlice<UInt8>] = []
    var start = 0
    for position in cuts + [bytes.count] {
        pieces.append(bytes[start..<position])
        start = position
    }
    return pieces
}

@Suite("PROXY header parser")
struct PROXYHeaderParserTests {
    @Test(arguments: goodHeaders)
    func parsesAWholeHeader(_ good: GoodHeader) throws {
        var parser = PROXYHeaderParser()
        #expect(try parser.feed(good.bytes[...]) == .header(good.header, bytesConsumed: good.bytes.count))
        #expect(parser.bufferedCount == 0)
    }

    @Test(arguments: goodHeaders)
    func neverTakesABytePastTheHeader(_ good: GoodHeader) throws {
        let application = Array("GET / HTTP/1.1\r\n\r\n\r\n\r\n\0\r\nQUIT\n".utf8)
        var parser = PROXYHeaderParser()
        let stream = good.bytes + application
        #expect(try parser.feed(stream[...]) == .header(good.header, bytesConsumed: good.bytes.count))
        // A slice not starting at index 0 reports a count, not an index.
        let offset = [UInt8](repeating: 7, count: 5) + stream
        var again = PROXYHeaderParser()
        #expect(try again.feed(offset[5...]) == .header(good.header, bytesConsumed: good.bytes.count))
    }

    @Test(arguments: goodHeaders)
    func headerSplitAtEveryPosition(_ good: GoodHeader) throws {
        let application = Array("hello".utf8)
        let stream = good.bytes + application
        for position in 0...stream.count {
            var parser = PROXYHeaderParser()
            let result = try #require(try feedPieces(cut(stream, at: [position]), parser: &parser), "cut at \(position)")
            #expect(result.header == good.header, "cut at \(position)")
            #expect(result.after == application, "cut at \(position)")
        }
        for first in 0...good.bytes.count {
            var parser = PROXYHeaderParser()
            let second = min(first + 3, stream.count)
            let result = try #require(try feedPieces(cut(stream, at: [first, second]), parser: &parser))
            #expect(result.header == good.header && result.after == application, "cuts at \(first), \(second)")
        }
    }

    @Test(arguments: goodHeaders)
    func headerOneByteAtATime(_ good: GoodHeader) throws {
        var parser = PROXYHeaderParser()
        for (index, byte) in good.bytes.enumerated() {
            let result = try parser.feed([byte][...])
            if index < good.bytes.count - 1 {
                #expect(result == .needMore, "byte \(index)")
                #expect(parser.bufferedCount == index + 1)
            } else {
                #expect(result == .header(good.header, bytesConsumed: 1))
            }
        }
    }

    @Test(arguments: badHeaders)
    func rejectsABadHeader(_ bad: BadHeader) {
        var parser = PROXYHeaderParser(maximumV2Length: bad.maximumV2Length)
        #expect(throws: bad.error) { try parser.feed(bad.bytes[...]) }
    }

    @Test(arguments: badHeaders)
    func rejectsABadHeaderHoweverItIsSplit(_ bad: BadHeader) {
        for position in 0...bad.bytes.count {
            var parser = PROXYHeaderParser(maximumV2Length: bad.maximumV2Length)
            #expect(throws: bad.error, "cut at \(position)") { try feedPieces(cut(bad.bytes, at: [position]), parser: &parser) }
        }
        var parser = PROXYHeaderParser(maximumV2Length: bad.maximumV2Length)
        #expect(throws: bad.error, "byte at a time") {
            try feedPieces(bad.bytes.indices.map { bad.bytes[$0...$0] }, parser: &parser)
        }
    }

    @Test func rejectsAsSoonAsTheBytesProveIt() throws {
        var v2 = PROXYHeaderParser()
        #expect(throws: PROXYHeaderError.badSignature) { try v2.feed(Array(PROXYHeaderParser.v2Signature.prefix(7) + [0x58])[...]) }
        var version = PROXYHeaderParser()
        #expect(throws: PROXYHeaderError.unsupportedVersion(1)) { try version.feed((PROXYHeaderParser.v2Signature + [0x11])[...]) }
        var length = PROXYHeaderParser()
        #expect(throws: PROXYHeaderError.lengthTooLarge(0x4001, limit: 0x4000)) {
            try length.feed((PROXYHeaderParser.v2Signature + [0x21, 0x11, 0x40, 0x01])[...])
        }
        var v1 = PROXYHeaderParser()
        #expect(throws: PROXYHeaderError.badSignature) { try v1.feed(Array("PRO\n".utf8)[...]) }
        var other = PROXYHeaderParser()
        #expect(throws: PROXYHeaderError.badSignature) { try other.feed([0x16, 0x03, 0x01][...]) }
    }

    @Test func emptyAndPartialInputNeedsMore() throws {
        var parser = PROXYHeaderParser()
        #expect(try parser.feed([][...]) == .needMore)
        #expect(try parser.feed(Array("PROXY TCP4 1.2.".utf8)[...]) == .needMore)
        #expect(try parser.feed(Array("3.4 5.6.7.8 1 2\r".utf8)[...]) == .needMore)
        #expect(try parser.feed([][...]) == .needMore)
        #expect(try parser.feed(Array("\nrest".utf8)[...]) == .header(
            PROXYHeader(version: .v1, command: .proxy, source: .ipv4("1.2.3.4", 1), destination: .ipv4("5.6.7.8", 2)),
            bytesConsumed: 1))
        #expect(parser.bufferedCount == 0)
    }

    @Test func splitV2HeaderBuffersNoMoreThanItsLength() throws {
        let header = F.v2(0x21, 0x11, F.ipv4Block)
        var parser = PROXYHeaderParser()
        #expect(try parser.feed(header[..<3]) == .needMore)
        let big = header[3...] + [UInt8](repeating: 0xEE, count: 100_000)
        #expect(try parser.feed(Array(big)[...]) == .header(
            PROXYHeader(version: .v2, command: .proxy, source: F.ipv4Source, destination: F.ipv4Destination),
            bytesConsumed: header.count - 3))
    }

    @Test func theLimitIsClampedToTheFieldsRange() {
        #expect(PROXYHeaderParser(maximumV2Length: 1 << 20).maximumV2Length == 0xFFFF)
        #expect(PROXYHeaderParser(maximumV2Length: -1).maximumV2Length == 0)
        #expect(PROXYHeaderParser().maximumV2Length == 16 * 1024)
    }

    @Test func errorsReadAsReasons() {
        #expect("\(PROXYHeaderError.badSignature)" == "not a PROXY protocol header (bad signature)")
        #expect("\(PROXYHeaderError.lengthTooLarge(70, limit: 64))" == "PROXY v2 header length 70 exceeds the limit of 64 bytes")
        #expect("\(PROXYHeader(version: .v1, command: .proxy, source: F.ipv4Source, destination: F.ipv4Destination))"
                == "PROXY v1 192.0.2.1:56324 -> 198.51.100.2:443")
        #expect("\(PROXYHeader(version: .v2, command: .local))" == "LOCAL v2")
    }
}
