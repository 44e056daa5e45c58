/// Reads a PROXY protocol header (version 1 or 2) from the first bytes of a connection, fed as
/// they arrive — whole, or in pieces as small as one byte.
///
/// **What it promises.** ``feed(_:)`` returns ``Result/needMore`` until the header is complete,
/// then ``Result/header(_:bytesConsumed:)`` with the number of bytes *of that call's input* that
/// belong to the header: it never takes a byte past the header, so `data.dropFirst(bytesConsumed)`
/// is the application's, unchanged. An input that cannot become a header throws a
/// ``PROXYHeaderError`` as soon as the bytes seen so far prove it, whatever way the input is split.
///
/// **Copies.** A header that arrives in one piece is read where it lies. One that is split is
/// gathered in a small buffer, at most the header's own length (107 bytes for version 1, 16 plus
/// the announced length for version 2); nothing past the header is ever copied.
///
/// **Version 2 limits.** The announced length may not exceed ``maximumV2Length``; the address
/// block must be long enough for its family (IPv4 12 bytes, IPv6 36, UNIX 216). What follows the
/// addresses (type-length-value extensions) is skipped unread.
///
/// After it returns a header, the parser is empty again; after it throws, the connection is bad
/// and the parser should not be fed again.
public struct PROXYHeaderParser: Sendable {
    /// What one call to ``feed(_:)`` found.
    public enum Result: Sendable, Equatable {
        /// The header is not complete yet; every byte fed so far belongs to it.
        case needMore
        /// The header is complete. Its last byte is byte `bytesConsumed - 1` of the input given to
        /// this call (bytes from earlier calls belonged to it too).
        case header(PROXYHeader, bytesConsumed: Int)
    }

    /// The longest version 1 line, CRLF included, that the protocol allows.
    public static let maximumV1Length = 107

    /// The version 2 signature: `\r\n\r\n\0\r\nQUIT\n`.
    public static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// The most bytes a version 2 header may announce after its 16-byte fixed part (16 KiB by
    /// default, HAProxy's own buffer size: addresses plus generous extensions).
    public let maximumV2Length: Int

    /// The bytes of a header that arrived split, gathered until it is complete.
    private var buffered: [UInt8] = []

    /// A parser accepting version 2 headers announcing at most `maximumV2Length` bytes after the
    /// fixed part (clamped to 0...65535, the field's range).
    public init(maximumV2Length: Int = 16 * 1024) {
        self.maximumV2Length = min(max(maximumV2Length, 0), 0xFFFF)
    }

    /// How many bytes of an unfinished header the parser holds.
    public var bufferedCount: Int { buffered.count }

    /// Reads `data`, the next bytes of the connection.
    ///
    /// - Returns: ``Result/needMore``, or the header and how many bytes of `data` it took.
    /// - Throws: ``PROXYHeaderError`` when the bytes so far cannot begin a valid header.
    public mutating func feed(_ data: ArraySlice<UInt8>) throws(PROXYHeaderError) -> Result {
        if buffered.isEmpty {
            switch try Self.parse(data, maximumV2Length: maximumV2Length) {
            case .complete(let header, let length):
                return .header(header, bytesConsumed: length)
            case .incomplete:
                // Shorter than the header can be, so this copy is bounded by the header's length.
                buffered.append(contentsOf: data)
                return .needMore
            }
        }
        let before = buffered.count
        var next = data.startIndex
        while true {
            switch try Self.parse(buffered[...], maximumV2Length: maximumV2Length) {
            case .complete(let header, let length):
                buffered = []
                return .header(header, bytesConsumed: length - before)
            case .incomplete(let atMost):
                guard next < data.endIndex else { return .needMore }
                // Take no more than the header can still need: never a byte past it.
                let take = min(atMost - buffered.count, data.endIndex - next)
                buffered.append(contentsOf: data[next..<(next + take)])
                next += take
            }
        }
    }

    /// What the bytes at the start of a connection are so far.
    enum Parse: Equatable {
        /// A complete header of `length` bytes.
        case complete(PROXYHeader, length: Int)
        /// Not enough bytes yet; the header is at most `atMost` bytes long (more than are here).
        case incomplete(atMost: Int)
    }

    /// Parses the header at the start of `bytes`, looking at nothing past it.
    static func parse(_ bytes: ArraySlice<UInt8>, maximumV2Length: Int) throws(PROXYHeaderError) -> Parse {
        guard let first = bytes.first else { return .incomplete(atMost: 16) }
        if first == UInt8(ascii: "P") { return try parseV1(bytes) }
        if first == v2Signature[0] { return try parseV2(bytes, maximumV2Length: maximumV2Length) }
        throw .badSignature
    }

    /// True when the first `min(bytes.count, prefix.count)` bytes match `prefix`.
    static func matchesSoFar(_ bytes: ArraySlice<UInt8>, _ prefix: [UInt8]) -> Bool {
        zip(bytes, prefix).allSatisfy { $0 == $1 }
    }
}
