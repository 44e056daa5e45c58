/// Why a description string could not become an endpoint: the one error `serverFromString`,
/// `clientFromString` and ``EndpointDescription/init(parsing:)`` throw (Twisted raises
/// `ValueError`, `TypeError` or `RuntimeError` depending on the mistake; Twist has one type).
///
/// Every case names the description's type (its first piece) where there is one, and the piece
/// that is wrong, so the ``description`` can be shown to whoever typed the string.
public enum EndpointDescriptionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No parser is registered for the type (the first piece), or it matched only in the wrong
    /// case. The empty description and a bare port such as "80" land here too: there is no default
    /// type.
    case unknownType(String)
    /// The description ends in a backslash that escapes nothing.
    case trailingBackslash(description: String)
    /// A `key=value` piece whose key the type does not take.
    case unknownKey(type: String, key: String)
    /// A required argument (named as the type's parameter, such as `port`) was not given.
    case missingArgument(type: String, name: String)
    /// More positional pieces than the type takes; `piece` is the first one too many.
    case tooManyArguments(type: String, piece: String)
    /// The same argument was given both by position and by `name=`.
    case duplicateArgument(type: String, name: String)
    /// An argument's value has the wrong form; `expected` says what was wanted ("an integer",
    /// "an octal number", "0 or 1", ...).
    case invalidValue(type: String, name: String, value: String, expected: String)

    /// The text shown to a user: `Unknown endpoint type: 'x'`, `tcp: unknown key 'foo'`,
    /// `tcp: missing argument 'port'`, `tcp: port must be an integer, not 'http'`, ...
    public var description: String {
        switch self {
        case .unknownType(let type):
            "Unknown endpoint type: '\(type)'"
        case .trailingBackslash(let text):
            "Endpoint description ends in a lone backslash: '\(text)'"
        case .unknownKey(let type, let key):
            "\(type): unknown key '\(key)'"
        case .missingArgument(let type, let name):
            "\(type): missing argument '\(name)'"
        case .tooManyArguments(let type, let piece):
            "\(type): too many arguments, starting at '\(piece)'"
        case .duplicateArgument(let type, let name):
            "\(type): '\(name)' given both by position and by name"
        case .invalidValue(let type, let name, let value, let expected):
            "\(type): \(name) must be \(expected), not '\(value)'"
        }
    }
}
