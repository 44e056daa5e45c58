/// Cuts a poem into chunks of a number of characters (Unicode scalars), each handed out as the
/// UTF-8 bytes that encode it. Invalid UTF-8 in the poem is cut by bytes instead, unchanged.
struct SlowPoetryChunks {
    private let poem: [UInt8]
    private let charactersPerChunk: Int
    private var offset = 0

    init(poem: [UInt8], charactersPerChunk: Int) {
        precondition(charactersPerChunk > 0, "a chunk needs at least one character")
        self.poem = poem
        self.charactersPerChunk = charactersPerChunk
    }

    /// The next chunk, or nil after the last one.
    mutating func next() -> ArraySlice<UInt8>? {
        guard offset < poem.count else { return nil }
        let start = offset
        var characters = 0
        while offset < poem.count, characters < charactersPerChunk {
            offset += Self.scalarLength(startingWith: poem[offset])
            characters += 1
        }
        offset = min(offset, poem.count)
        return poem[start..<offset]
    }

    /// How many bytes the UTF-8 sequence starting with `lead` takes (1 for a stray byte).
    private static func scalarLength(startingWith lead: UInt8) -> Int {
        switch lead {
        case 0xF0...0xF7: 4
        case 0xE0...0xEF: 3
        case 0xC0...0xDF: 2
        default: 1
        }
    }
}
