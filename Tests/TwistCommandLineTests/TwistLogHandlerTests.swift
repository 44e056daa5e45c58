import Foundation
import Logging
import Testing
@testable import TwistCommandLine

@Suite struct TwistLogHandlerTests {
    let time = Date(timeIntervalSince1970: 1_700_000_000.25)

    @Test func textIsOneLineWithSortedMetadata() {
        let line = TwistLogHandler.line(
            format: .text, time: time, level: .warning, label: "twist.reactor", message: "hello",
            metadata: ["b": "2", "a": "1"]
        )
        #expect(line == "2023-11-14T22:13:20.250Z warning twist.reactor: hello a=1 b=2\n")
    }

    @Test func jsonIsOneObjectPerLineWithEscapes() throws {
        let line = TwistLogHandler.line(
            format: .json, time: time, level: .error, label: "x", message: "say \"hi\"\n\u{1}\\",
            metadata: ["peer": "127.0.0.1:1", "list": ["a", "b"], "nested": ["k": "v"]]
        )
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "say \"hi\"\n\u{1}\\")
        #expect(object["level"] as? String == "error")
        #expect(object["label"] as? String == "x")
        #expect(object["time"] as? String == "2023-11-14T22:13:20.250Z")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["peer"] as? String == "127.0.0.1:1")
        #expect(metadata["list"] as? [String] == ["a", "b"])
        #expect((metadata["nested"] as? [String: String]) == ["k": "v"])
    }

    @Test func aLoggersOwnLevelWinsOverTheProcessLevel() {
        var handler = TwistLogHandler(label: "x")
        #expect(handler.logLevel == LogSettings.level)
        handler.logLevel = .trace
        #expect(handler.logLevel == .trace)
    }

    @Test func logLevelsParseWithTwistedsWarnSpelling() {
        #expect(Logger.Level(argument: "warn") == .warning)
        #expect(Logger.Level(argument: "debug") == .debug)
        #expect(Logger.Level(argument: "loud") == nil)
        #expect(throws: (any Error).self) { try ServerOptions.parse(["--log-level", "loud"]) }
        #expect(throws: (any Error).self) { try ServerOptions.parse(["--log-format", "xml"]) }
        #expect(throws: (any Error).self) { try ServerOptions.parse(["--shutdown-grace", "-1"]) }
    }
}
