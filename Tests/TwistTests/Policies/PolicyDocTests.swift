import Foundation
import Testing
import Twist
import TwistTesting

/// Docs/Policies.md must not rot: every Swift block on the page is preceded by the line
/// `PolicyDocExamples.swift`, and each of its lines (indentation aside) appears in that file, in
/// order. That file is compiled with the tests; the tests below run what it defines.
@Suite("Docs/Policies.md")
struct PolicyDocTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everySwiftBlockOnThePageIsCompiledCode() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("Docs/Policies.md"), encoding: .utf8)
            .components(separatedBy: "\n")
        let source = try String(
            contentsOf: Self.root.appendingPathComponent("Tests/TwistTests/Policies/PolicyDocExamples.swift"), encoding: .utf8
        ).components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var blocks = 0
        var index = 0
        while index < page.count {
            defer { index += 1 }
            guard page[index].hasPrefix("```swift") else { continue }
            blocks += 1
            #expect(index > 0 && page[index - 1] == "`PolicyDocExamples.swift`", "the block at line \(index + 1) names no source")
            var cursor = 0
            index += 1
            while index < page.count, !page[index].hasPrefix("```") {
                let line = page[index].trimmingCharacters(in: .whitespaces)
                if !line.isEmpty {
                    let found = source[cursor...].firstIndex(of: line)
                    #expect(found != nil, "Policies.md:\(index + 1) `\(line)` is not in PolicyDocExamples.swift (in order)")
                    if let found { cursor = found + 1 }
                }
                index += 1
            }
        }
        #expect(blocks == 6)
    }

    @Test func theChatExampleEchoesAndSaysGoodbyeAfterAMinuteOfSilence() throws {
        let clock = TestClock()
        let transport = StringTransport()
        let chat = Chat(reactor: clock)
        transport.connect(chat)
        try clock.advance(50)
        try chat.dataReceived(Array("hi\r\n".utf8)[...])
        try clock.advance(59)
        #expect(transport.valueString == "hi\r\n")
        #expect(!transport.isDisconnecting)
        try clock.advance(1)
        #expect(transport.valueString == "hi\r\nidle for a minute, bye\r\n")
        #expect(transport.isDisconnecting)
    }

    @Test func theOneLinePoliciesAreWhatThePageSays() throws {
        let clock = TestClock()
        let examples = PolicyDocExamples(factory: Factory { Protocol() }, reactor: clock)
        #expect(examples.oneLineTimeout.idleTimeout == 30)
        #expect(examples.capped.connectionLimit == 1000)
        #expect(examples.perPeer.maxConnectionsPerPeer == 5)
        #expect(examples.throttled.maxConnectionCount == 100)
        #expect(examples.throttled.readLimit == 1 << 20)
        #expect(examples.throttled.writeLimit == nil)
        #expect(examples.logged.lengthLimit == 64)
    }
}
