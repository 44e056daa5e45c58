import Testing
import TwistCore
import TwistTesting

/// A handler that throws closes the connection (the transport's job); the receiver itself must
/// still be consistent afterwards, even for a message that spanned reads, so whatever feeds it
/// next (a transport that does not close, a test) sees correct framing.
@Suite struct HandlerErrorTests {
    struct Refused: Error {}

    @Test func netstring() throws {
        let (receiver, _) = connectedRecorder()
        receiver.onString = { _, string in if string.first == UInt8(ascii: "!") { throw Refused() } }
        try receiver.feed("3:!ab")
        #expect(throws: Refused.self) { try receiver.feed(",") }
        try receiver.feed("2:ok,")
        #expect(receiver.texts == ["!ab", "ok"])
    }

    @Test func lines() throws {
        let (receiver, _) = connectedLineRecorder()
        receiver.onLine = { _, line in if line.hasPrefix("!") { throw Refused() } }
        try receiver.feedText("!ab")
        #expect(throws: Refused.self) { try receiver.feedText("\r\n") }
        try receiver.feedText("ok\r\n")
        #expect(receiver.lines == ["!ab", "ok"])
    }

    @Test func lineOnly() throws {
        final class Thrower: LineOnlyReceiver {
            var lines: [String] = []
            override func lineReceived(_ line: ArraySlice<UInt8>) throws {
                lines.append(String(decoding: line, as: UTF8.self))
                if line.first == UInt8(ascii: "!") { throw Refused() }
            }
        }
        let receiver = Thrower()
        StringTransport().connect(receiver)
        try receiver.feedText("!ab")
        #expect(throws: Refused.self) { try receiver.feedText("\r\n") }
        try receiver.feedText("ok\r\n")
        #expect(receiver.lines == ["!ab", "ok"])
    }

    @Test func lengthPrefixed() throws {
        let receiver = PrefixedRecorder(prefixLength: 1)
        StringTransport().connect(receiver)
        receiver.onString = { _, string in if string.first == UInt8(ascii: "!") { throw Refused() } }
        try receiver.dataReceived([3, 33, 97][...])
        #expect(throws: Refused.self) { try receiver.dataReceived([98][...]) }
        try receiver.dataReceived([2, 111, 107][...])
        #expect(receiver.strings == [[33, 97, 98], [111, 107]])
    }
}
