/// A protocol that receives lines only (Twisted's `twisted.protocols.basic.LineOnlyReceiver`):
/// ``LineReceiver`` without raw mode or pausing, for protocols that never need them.
///
/// Each line, without its ``delimiter``, goes to ``lineReceived(_:)`` in order, however the
/// stream was split into reads; a line that lies whole in one read is a view of that read. A line
/// longer than ``maxLength``, or unterminated data longer than ``maxLength``, goes to
/// ``lineLengthExceeded(_:)`` (which closes the connection by default) and nothing after it in
/// that read is delivered. Once the transport is disconnecting, no further line is delivered.
open class LineOnlyReceiver: Protocol {
    /// The line delimiter; CRLF by default. Must not be empty.
    public var delimiter: [UInt8] = [13, 10] {
        didSet { precondition(!delimiter.isEmpty, "a line delimiter cannot be empty") }
    }

    /// The longest line accepted, in bytes (without the delimiter); 16,384 by default.
    public var maxLength = 16_384

    /// An unfinished line from earlier reads.
    @exclusivity(unchecked) private var carry: [UInt8] = []
    /// Bytes given to ``dataReceived(_:)`` from inside ``lineReceived(_:)``; parsed next.
    @exclusivity(unchecked) private var reentrantInput: [UInt8] = []
    @exclusivity(unchecked) private var isParsing = false

    /// A receiver with CRLF delimiters.
    public override init() {}

    /// One line arrived, without its delimiter. The base implementation throws
    /// ``HandlerNotImplemented``, which closes the connection: override it. Copy what you keep.
    open func lineReceived(_ line: ArraySlice<UInt8>) throws {
        throw HandlerNotImplemented(receiver: logPrefix, method: "lineReceived(_:)")
    }

    /// A line (or unterminated data) was longer than ``maxLength``; it is discarded. The default
    /// closes the connection gracefully.
    open func lineLengthExceeded(_ line: [UInt8]) {
        transport?.loseConnection()
    }

    /// Writes `line` followed by the delimiter: in one write, or, for a line over 1,000 bytes
    /// that is an array or an array's slice, in two with the line queued by reference, not
    /// copied (see ``FrameWriter``). Inlinable: specialised for the caller's collection type.
    @inlinable
    public func sendLine<Bytes: Collection<UInt8>>(_ line: Bytes) {
        guard let transport else { return }
        delimiter.withUnsafeBytes { delimiter in
            FrameWriter.write(line, to: transport, headerCapacity: 0, header: { _ in 0 }, trailer: delimiter)
        }
    }

    /// Splits `data` into lines and delivers them.
    open override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if isParsing {
            reentrantInput.append(contentsOf: data)
            return
        }
        isParsing = true
        defer { isParsing = false }
        try parse(data)
        while !reentrantInput.isEmpty {
            var next: [UInt8] = []
            swap(&next, &reentrantInput)
            try parse(next[...])
        }
    }

    private func parse(_ data: ArraySlice<UInt8>) throws {
        var input = data
        if !carry.isEmpty {
            guard let used = DelimiterSearch.bytesCompletingLine(held: carry, next: data, delimiter: delimiter) else {
                carry.append(contentsOf: data)
                if carry.count > maxLength { exceeded(carry) }
                return
            }
            carry.append(contentsOf: data.prefix(used))
            input = data.dropFirst(used)
            let goOn: Bool
            do {
                // Emptied even if the handler throws, so a later read starts clean.
                defer { carry.reset() }
                goOn = try deliver(carry[..<(carry.count - delimiter.count)])
            }
            guard goOn else { return }
        }
        while let end = DelimiterSearch.firstIndex(of: delimiter, in: input) {
            let line = input[..<end]
            input = input[(end + delimiter.count)...]
            guard try deliver(line) else { return }
        }
        carry.append(contentsOf: input)
        if carry.count > maxLength { exceeded(carry) }
    }

    /// Delivers `line` unless the transport is disconnecting or the line is too long; returns
    /// whether parsing may go on.
    private func deliver(_ line: ArraySlice<UInt8>) throws -> Bool {
        guard transport?.isDisconnecting != true else {
            discardAll()
            return false
        }
        guard line.count <= maxLength else {
            exceeded(Array(line))
            return false
        }
        try lineReceived(line)
        return true
    }

    private func exceeded(_ data: [UInt8]) {
        discardAll()
        lineLengthExceeded(data)
    }

    private func discardAll() {
        carry = []
        reentrantInput = []
    }
}
