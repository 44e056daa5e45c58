import Logging
import Testing
import TwistCore
import TwistTesting

@Suite("TrafficLoggingFactory (spec 65)")
struct TrafficLoggingFactoryTests {
    let inner = CountingFactory()
    let lines = LineSink()

    /// Collects (connection, line) pairs.
    final class LineSink {
        var entries: [(Int, String)] = []
        var texts: [String] { entries.map(\.1) }
    }

    private func logging(lengthLimit: Int? = nil) -> TrafficLoggingFactory {
        let lines = lines
        return TrafficLoggingFactory(wrapping: inner, lengthLimit: lengthLimit) { lines.entries.append(($0, $1)) }
    }

    @Test func aConnectionsLifeInLines() throws {
        let factory = logging()
        let (wrapper, transport) = try connectPolicy(factory, peer: .ipv4("192.0.2.1", 4000))
        try wrapper.dataReceived(Array("hi\r\n".utf8)[...])
        let upper = try #require(inner.built.first?.transport)
        upper.write(Array("ho".utf8))
        upper.writeSequence([Array("a".utf8)[...], Array("b\"c".utf8)[...]])
        upper.loseConnection()
        #expect(lines.texts == [
            "* 1: 192.0.2.1:4000",
            #"C 1: "hi\r\n""#,
            #"S 1: "ho""#,
            #"SV 1: ["a", "b\"c"]"#,
            "S 1: *",
            "C 1: ConnectionDone: \(ConnectionDone())",
        ])
        #expect(lines.entries.allSatisfy { $0.0 == 1 })
        #expect(transport.valueString == "hoab\"c", "everything still passes")
        #expect(inner.built.first?.received == Array("hi\r\n".utf8))
        #expect(inner.built.first?.reasons.count == 1)
    }

    @Test func abortIsLoggedWithItsOwnMark() throws {
        let factory = logging()
        _ = try connectPolicy(factory)
        inner.built.first?.transport?.abortConnection()
        #expect(lines.texts.suffix(2) == ["S 1: !", "C 1: ConnectionAborted: \(ConnectionAborted())"])
    }

    @Test func connectionsAreNumberedFromOneAndResetCounterStartsAgain() throws {
        let factory = logging()
        _ = try connectPolicy(factory)
        _ = try connectPolicy(factory)
        inner.refuses = true
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.1", 1)) == nil)
        inner.refuses = false
        _ = try connectPolicy(factory)
        #expect(lines.entries.map(\.0) == [1, 2, 3], "a refused connection uses no number")
        factory.resetCounter()
        #expect(factory.counter == 0)
        _ = try connectPolicy(factory)
        #expect(lines.entries.last?.0 == 1)
    }

    @Test func aLongerChunkIsCutAndMarked() throws {
        let factory = logging(lengthLimit: 4)
        let (wrapper, _) = try connectPolicy(factory)
        try wrapper.dataReceived(Array("abcdefgh".utf8)[...])
        try wrapper.dataReceived(Array("abcd".utf8)[...])
        #expect(lines.texts.suffix(2) == [#"C 1: "abcd"<... elided>"#, #"C 1: "abcd""#])
    }

    @Test func bytesAreQuotedWithEscapes() throws {
        let factory = logging()
        let (wrapper, _) = try connectPolicy(factory)
        try wrapper.dataReceived([0x00, 0x09, 0x5C, 0x7F, 0xFF, 0x41][...])
        #expect(lines.texts.last == #"C 1: "\x00\t\\\x7f\xffA""#)
    }

    @Test func toALoggerEachLineIsARecordWithTheConnectionNumber() throws {
        let capture = LogCapture()
        let factory = TrafficLoggingFactory(wrapping: inner, logger: capture.logger(label: "wire"), level: .debug)
        let (wrapper, _) = try connectPolicy(factory)
        try wrapper.dataReceived(Array("x".utf8)[...])
        #expect(capture.records.map(\.message) == ["* 1: 192.0.2.1:40000", #"C 1: "x""#])
        #expect(capture.records.allSatisfy { $0.level == .debug && $0.metadata["connection"] == "1" })
    }
}
