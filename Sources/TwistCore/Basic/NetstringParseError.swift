/// Why a ``NetstringReceiver`` gave up on its peer (Twisted's `NetstringParseError`).
///
/// The receiver reports it to ``NetstringReceiver/netstringParseFailed(_:)`` and then closes the
/// connection; it never reaches the reactor or the peer.
public struct NetstringParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong with the input.
    public enum Kind: Equatable, Sendable {
        /// A netstring must start with a decimal digit; this byte came instead.
        case expectedDigit(found: UInt8)
        /// A length other than zero may not start with `0` (`01:a,`).
        case leadingZero
        /// The length's digits must be followed by `:`; this byte came instead.
        case expectedColon(found: UInt8)
        /// The length being received already exceeds the receiver's limit (detected while the
        /// digits are still arriving, so a huge number is never converted).
        case lengthTooLarge(limit: Int)
        /// The payload must be followed by `,`; this byte came instead.
        case expectedComma(found: UInt8)
    }

    /// What was wrong.
    public let kind: Kind

    /// How many bytes the receiver had accepted on this connection before the offending one.
    public let offset: Int

    /// An error of `kind` at byte `offset` of the stream.
    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// "malformed netstring at byte <offset>: <what>", with an unexpected byte shown in hex, and
    /// also as a quoted character when it is visible ASCII.
    public var description: String {
        let what: String
        switch kind {
        case .expectedDigit(let byte): what = "expected a length digit, found \(Self.show(byte))"
        case .leadingZero: what = "a non-zero length starts with 0"
        case .expectedColon(let byte): what = "expected ':' after the length, found \(Self.show(byte))"
        case .lengthTooLarge(let limit): what = "length exceeds the limit of \(limit) bytes"
        case .expectedComma(let byte): what = "expected ',' after the payload, found \(Self.show(byte))"
        }
        return "malformed netstring at byte \(offset): \(what)"
    }

    private static func show(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        return (0x21...0x7e).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))' (\(hex))" : hex
    }
}
