import Foundation
import Testing

/// Docs/GettingStarted.md shows files of this repository, which CI builds and runs: each Swift
/// block but the manifest fragment names its file just before it, as "(`path`)", and is that
/// file exactly, so the page cannot drift from code that compiles.
@Suite struct GettingStartedDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Block {
        let path: String?
        let text: String
    }

    /// The Swift blocks of the page, each with the file named on the lines before it, if any.
    static func blocks() throws -> [Block] {
        let lines = try String(contentsOf: root.appendingPathComponent("Docs/GettingStarted.md"), encoding: .utf8)
            .components(separatedBy: "\n")
        var blocks: [Block] = []
        var index = 0
        while index < lines.count {
            guard lines[index] == "```swift" else {
                index += 1
                continue
            }
            let before = lines[max(0, index - 4)..<index].joined(separator: " ")
            let path = before.components(separatedBy: "(`").last.flatMap { tail in
                tail.components(separatedBy: "`").first.flatMap { $0.hasSuffix(".swift") ? $0 : nil }
            }
            var end = index + 1
            while end < lines.count, lines[end] != "```" { end += 1 }
            blocks.append(Block(path: path, text: lines[(index + 1)..<end].joined(separator: "\n") + "\n"))
            index = end + 1
        }
        return blocks
    }

    @Test func everySwiftBlockIsAFileOfTheRepositoryShownExactly() throws {
        let blocks = try Self.blocks()
        #expect(blocks.count == 5, "the manifest fragment and four files")
        for block in blocks {
            guard let path = block.path else {
                #expect(block.text.contains(".package(url:"), "a block with no file must be the manifest fragment")
                continue
            }
            let file = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            #expect(block.text == file, "Docs/GettingStarted.md shows \(path) differently from the file")
        }
    }

    @Test func theManifestFragmentNamesProductsThatExist() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let fragment = try #require(try Self.blocks().first { $0.path == nil })
        for product in ["Twist", "TwistTesting"] {
            #expect(fragment.text.contains("name: \"\(product)\""))
            #expect(manifest.contains(".library(name: \"\(product)\""))
        }
    }
}
