/// A description string split into its pieces (the grammar of Twisted's `serverFromString` and
/// `clientFromString`), before any type gives the pieces a meaning.
///
/// **Grammar.** The text splits at every unescaped `:`. The first piece is the type name, taken
/// literally (an `=` in it is not special). Every later piece is either positional or, when it
/// holds an unescaped `=`, a `key=value` pair split at the *first* such `=` (later ones belong to
/// the value: `address=a=b` has the value `a=b`). A backslash makes the next character literal
/// (`\:`, `\=`, `\\`); a backslash at the very end is an error. Positional and keyword pieces may
/// come in any order; a repeated key keeps its last value. Empty pieces are kept (`tcp::80` has
/// the positionals `""` and `"80"`).
public struct EndpointDescription: Sendable, Equatable, CustomStringConvertible {
    /// The first piece: which kind of endpoint (`tcp`, `unix`, ...), as written.
    public var typeName: String
    /// The positional pieces after the type, in order, unescaped.
    public var positional: [String]
    /// The `key=value` pieces, unescaped; a repeated key holds its last value.
    public var keywords: [String: String]

    /// A description made of the given parts.
    public init(typeName: String, positional: [String] = [], keywords: [String: String] = [:]) {
        self.typeName = typeName
        self.positional = positional
        self.keywords = keywords
    }

    /// Splits `text` by the grammar above.
    ///
    /// - Throws: ``EndpointDescriptionError/trailingBackslash(description:)`` when `text` ends in
    ///   a backslash that escapes nothing. Nothing else: an empty text has the type name "".
    public init(parsing text: String) throws(EndpointDescriptionError) {
        var pieces: [(key: String?, value: String)] = []
        var current = ""
        var key: String?
        var escaping = false
        for character in text {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == ":" {
                pieces.append((key, current))
                current = ""
                key = nil
            } else if character == "=", key == nil, !pieces.isEmpty {
                key = current
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaping { throw .trailingBackslash(description: text) }
        pieces.append((key, current))

        typeName = pieces[0].value
        positional = []
        keywords = [:]
        for piece in pieces.dropFirst() {
            if let key = piece.key {
                keywords[key] = piece.value
            } else {
                positional.append(piece.value)
            }
        }
    }

    /// The description written back in the grammar: the type, the positionals, then the
    /// keywords sorted by key, each escaped with ``quoteStringArgument(_:)`` (keys and the type
    /// also have their `=` escaped). Parsing it gives back an equal value.
    public var description: String {
        var parts = [quoteStringArgument(typeName)]
        parts += positional.map { Self.quotePositional($0) }
        for key in keywords.keys.sorted() {
            parts.append("\(Self.quotePositional(key))=\(quoteStringArgument(keywords[key]!))")
        }
        return parts.joined(separator: ":")
    }

    /// A positional piece or key, with `=` escaped as well so it is not read as `key=value`.
    static func quotePositional(_ text: String) -> String {
        var quoted = ""
        for character in quoteStringArgument(text) {
            if character == "=" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted
    }
}

/// Escapes `argument` so that it can stand as one value in a description string: every `\`
/// becomes `\\` and every `:` becomes `\:` (Twisted's `quoteStringArgument`). An `=` needs no
/// escape inside a `key=value` value; a positional piece holding `=` must escape it too.
public func quoteStringArgument(_ argument: String) -> String {
    var quoted = ""
    quoted.reserveCapacity(argument.count)
    for character in argument {
        if character == "\\" || character == ":" { quoted.append("\\") }
        quoted.append(character)
    }
    return quoted
}
