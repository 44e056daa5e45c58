import Foundation
import Testing

/// Docs/Tutorial.md must not rot: every Swift snippet in it names, on the line just above, the
/// source file it was cut from, and each of its paragraphs (runs of lines between blank lines)
/// must still appear there line for line (indentation aside), in the snippet's order. Those files
/// are compiled with the package, so every snippet is code that compiles.
@Suite struct TutorialSnippetTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Snippet: CustomStringConvertible {
        let line: Int
        let source: String?
        let lines: [String]
        var description: String { "snippet at Tutorial.md:\(line) from \(source ?? "nowhere")" }
    }

    /// The Swift code blocks of the tutorial, each with the source path named above it.
    static func snippets() throws -> [Snippet] {
        let text = try String(contentsOf: root.appendingPathComponent("Docs/Tutorial.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        var result: [Snippet] = []
        var index = 0
        while index < lines.count {
            guard lines[index].hasPrefix("```swift") else {
                index += 1
                continue
            }
            let opening = index
            var body: [String] = []
            index += 1
            while index < lines.count, !lines[index].hasPrefix("```") {
                body.append(lines[index])
                index += 1
            }
            let above = lines[..<opening].last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let source = above.flatMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("`Sources/"), trimmed.hasSuffix(".swift`") else { return nil }
                return String(trimmed.dropFirst().dropLast())
            }
            result.append(Snippet(line: opening + 1, source: source, lines: body))
            index += 1
        }
        return result
    }

    static func normalized(_ lines: [String]) -> [String] {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The snippet's paragraphs: runs of non-blank lines, trimmed.
    static func paragraphs(_ lines: [String]) -> [[String]] {
        lines.split { $0.trimmingCharacters(in: .whitespaces).isEmpty }.map { normalized(Array($0)) }
    }

    /// Where `needle` starts in `haystack` at or after `from`, if it appears there whole.
    static func position(of needle: [String], in haystack: [String], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        return (from...(haystack.count - needle.count)).first { start in
            Array(haystack[start..<(start + needle.count)]) == needle
        }
    }

    @Test func theTutorialHasSnippets() throws {
        #expect(try Self.snippets().count >= 8)
    }

    @Test func everySnippetIsCutFromTheSourceItNames() throws {
        for snippet in try Self.snippets() {
            guard let source = snippet.source else {
                Issue.record("\(snippet): name its source file on the line above")
                continue
            }
            let file = try String(contentsOf: Self.root.appendingPathComponent(source), encoding: .utf8)
            let haystack = Self.normalized(file.components(separatedBy: "\n"))
            var from = 0
            var found = true
            for paragraph in Self.paragraphs(snippet.lines) {
                guard let start = Self.position(of: paragraph, in: haystack, from: from) else {
                    found = false
                    break
                }
                from = start + paragraph.count
            }
            #expect(found && !snippet.lines.isEmpty, "\(snippet) no longer matches the source")
        }
    }
}
