import Poetry
import Testing

/// The bundled poems are the bytes they were pinned at, and well-formed.
@Suite struct BundledPoemTests {
    @Test(arguments: PoemPin.all)
    func eachPoemHasItsPinnedBytes(_ pin: PoemPin) throws {
        let poem = try pin.poem
        #expect(poem.bytes.count == pin.size)
        #expect(fnv1a(poem.bytes) == pin.hash)
    }

    @Test(arguments: PoemPin.all)
    func eachPoemIsUTF8WithATitleAnAuthorAndOneFinalNewline(_ pin: PoemPin) throws {
        let poem = try pin.poem
        let text = try #require(String(validating: poem.bytes, as: UTF8.self))
        #expect(!text.contains("\r"))
        #expect(text.hasSuffix("\n") && !text.hasSuffix("\n\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.first?.isEmpty == false)
        #expect(lines.last?.hasPrefix("-- ") == true)
    }

    @Test func atLeastOnePoemIsNotASCII() throws {
        let nonASCII = try BundledPoems.all().filter { $0.bytes.contains { $0 >= 0x80 } }.map(\.name)
        #expect(nonASCII.contains("die-lorelei"))
        #expect(nonASCII.contains("wandrers-nachtlied"))
    }

    @Test func everyBundledPoemIsPinned() throws {
        #expect(try BundledPoems.all().map(\.name) == PoemPin.all.map(\.name))
    }

    @Test func anUnknownPoemIsAnError() {
        #expect(throws: PoemFileError.self) { try BundledPoems.poem(named: "the-waste-land") }
    }
}
