/// The transforms the transform server ships with.
///
/// - `cummingsify`: the intro's own — lower-cases the whole poem (Unicode-aware, like Python's
///   `str.lower()`).
/// - `shout`: upper-cases it (Unicode-aware, so German `ß` becomes `SS` and the poem grows).
/// - `backwards`: the lines in reverse order, the last line first (a final newline stays last).
/// - `title`: only the first non-blank line, with a newline; throws ``PoemTransformError/noTitle``
///   for a poem with no text, so a client sees a transform that fails.
public enum PoemTransforms {
    /// Every bundled transform with its name, in a fixed order.
    public static var standard: [(name: String, transform: TransformService.Transform)] {
        [
            ("cummingsify", cummingsify),
            ("shout", shout),
            ("backwards", backwards),
            ("title", title),
        ]
    }

    /// Lower-cases the poem.
    public static func cummingsify(_ poem: String) -> String {
        poem.lowercased()
    }

    /// Upper-cases the poem.
    public static func shout(_ poem: String) -> String {
        poem.uppercased()
    }

    /// Reverses the order of the poem's lines; a trailing newline stays at the end.
    public static func backwards(_ poem: String) -> String {
        guard !poem.isEmpty else { return poem }
        var lines = poem.split(separator: "\n", omittingEmptySubsequences: false)
        let endsWithNewline = lines.last == ""
        if endsWithNewline { lines.removeLast() }
        return lines.reversed().joined(separator: "\n") + (endsWithNewline ? "\n" : "")
    }

    /// The first line that is not blank, followed by a newline.
    ///
    /// - Throws: ``PoemTransformError/noTitle`` when every line is blank (or the poem is empty).
    public static func title(_ poem: String) throws -> String {
        let lines = poem.split(separator: "\n")
        guard let first = lines.first(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw PoemTransformError.noTitle
        }
        return first + "\n"
    }
}

/// Why a bundled transform could not transform a poem.
public enum PoemTransformError: Error, CustomStringConvertible {
    /// `title` was given a poem without a single non-blank line.
    case noTitle

    /// A sentence for the user, naming what the poem lacked.
    public var description: String {
        switch self {
        case .noTitle: "the poem has no title: every line is blank"
        }
    }
}
