/// Why the first bytes of a connection are not a PROXY protocol header: the one error
/// ``PROXYHeaderParser`` throws. Its ``description`` is the reason logged when
/// ``HAProxyProtocolWrapper`` closes the connection.
public enum PROXYHeaderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The connection starts with neither `PROXY ` (version 1) nor the version 2 signature:
    /// the peer is not a proxy speaking the PROXY protocol (or the proxy is not configured to).
    case badSignature
    /// A version 1 line reached the protocol's limit of 107 bytes without ending.
    case lineTooLong
    /// A version 1 line ended in a line feed not preceded by a carriage return.
    case missingCRLF
    /// A version 1 line is not `PROXY <family> <source> <destination> <sport> <dport>` with single
    /// spaces; `line` is what arrived, printable bytes only.
    case malformedLine(String)
    /// The address family (and transport protocol) is not one the protocol defines: a version 1
    /// word other than `TCP4`, `TCP6` or `UNKNOWN`, or a version 2 family/protocol byte out of range.
    case badFamily(String)
    /// An address is not a numeric address of the announced family, or a version 2 header is too
    /// short to hold the addresses of its family.
    case badAddress(String)
    /// A version 1 port is not a decimal number from 0 to 65535.
    case badPort(String)
    /// A version 2 header announces more bytes after its fixed part than the parser accepts.
    case lengthTooLarge(Int, limit: Int)
    /// A version 2 header's version nibble is not 2.
    case unsupportedVersion(Int)
    /// A version 2 header's command nibble is neither LOCAL (0) nor PROXY (1).
    case unsupportedCommand(Int)

    /// The reason as a sentence fragment: `not a PROXY protocol header (bad signature)`, ...
    public var description: String {
        switch self {
        case .badSignature:
            "not a PROXY protocol header (bad signature)"
        case .lineTooLong:
            "PROXY v1 line longer than 107 bytes"
        case .missingCRLF:
            "PROXY v1 line does not end in CRLF"
        case .malformedLine(let line):
            "malformed PROXY v1 line '\(line)'"
        case .badFamily(let family):
            "unknown PROXY address family \(family)"
        case .badAddress(let address):
            "bad PROXY address: \(address)"
        case .badPort(let port):
            "bad PROXY port '\(port)'"
        case .lengthTooLarge(let length, let limit):
            "PROXY v2 header length \(length) exceeds the limit of \(limit) bytes"
        case .unsupportedVersion(let version):
            "unsupported PROXY protocol version \(version)"
        case .unsupportedCommand(let command):
            "unsupported PROXY v2 command \(command)"
        }
    }
}
