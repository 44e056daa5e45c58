/// A protocol that receives lines, and can switch to raw data and back (Twisted's
/// `twisted.protocols.basic.LineReceiver`).
///
/// Subclass it and override ``lineReceived(_:)`` (and ``rawDataReceived(_:)`` if you use raw
/// mode); send with ``sendLine(_:)``.
///
/// **What it promises.** Each line, without its ``delimiter``, goes to ``lineReceived(_:)`` in
/// order, however the stream was split into reads. A line that lies whole in one read is handed
/// over as a view of that read (no copy). A line longer than ``maxLength``, or unterminated data
/// reaching ``maxLength`` plus the delimiter's length, goes to ``lineLengthExceeded(_:)`` (which
/// closes the connection by default) and is never delivered as a line. Once the transport is
/// disconnecting, no further line is delivered. ``setRawMode()`` sends every later byte to
/// ``rawDataReceived(_:)``; ``setLineMode(extra:)`` switches back and parses `extra` as lines —
/// any number of switches in one read run in a loop, never recursively. While paused
/// (``pauseProducing()``) lines are held and delivered on ``resumeProducing()``.
open class LineReceiver: PausableReceiver {
    /// The line delimiter; CRLF by default. Must not be empty.
    public var delimiter: [UInt8] = [13, 10] {
        didSet { precondition(!delimiter.isEmpty, "a line delimiter cannot be empty") }
    }

    /// The longest line accepted, in bytes (without the delimiter); 16,384 by default.
    public var maxLength = 16_384

    /// True in line mode (the default), false in raw mode.
    public private(set) var isLineMode = true

    /// Outside a read: an unfinished line, or everything held while paused. During a read: empty,
    /// or the line being completed from the previous read.
    @exclusivity(unchecked) private var carry: [UInt8] = []
    /// The part of the current read not parsed yet.
    @exclusivity(unchecked) private var input: ArraySlice<UInt8> = []
    /// Bytes given to ``dataReceived(_:)`` (or ``setLineMode(extra:)``) during a read; parsed after
    /// ``input``, in order. Kept as views, not copies, so that a raw handler handing the rest of
    /// its data back with ``setLineMode(extra:)`` costs nothing however often it switches.
    @exclusivity(unchecked) private var reentrantInput: [ArraySlice<UInt8>] = []
    @exclusivity(unchecked) private var isParsing = false

    /// A receiver in line mode with CRLF delimiters.
    public override init() {}

    // MARK: - What subclasses override

    /// One line arrived, without its delimiter. The base implementation throws
    /// ``HandlerNotImplemented``, which closes the connection: override it. Copy what you keep.
    open func lineReceived(_ line: ArraySlice<UInt8>) throws {
        throw HandlerNotImplemented(receiver: logPrefix, method: "lineReceived(_:)")
    }

    /// Bytes arrived in raw mode. The base implementation throws ``HandlerNotImplemented``.
    open func rawDataReceived(_ data: ArraySlice<UInt8>) throws {
        throw HandlerNotImplemented(receiver: logPrefix, method: "rawDataReceived(_:)")
    }

    /// A line was too long. `data` is the offending line, its delimiter and everything received
    /// after it (or the unterminated data); it is discarded afterwards. The default closes the
    /// connection gracefully.
    open func lineLengthExceeded(_ data: [UInt8]) {
        transport?.loseConnection()
    }

    // MARK: - Sending and modes

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

    /// From now on, every byte goes to ``rawDataReceived(_:)`` — including the rest of the
    /// current read when called from ``lineReceived(_:)``.
    public func setRawMode() {
        isLineMode = false
    }

    /// Back to line mode; `extra` is parsed as lines first (after the current read, if called
    /// during one).
    /// `extra` is kept as a view, not copied.
    public func setLineMode(extra: ArraySlice<UInt8> = []) throws {
        isLineMode = true
        if !extra.isEmpty { try dataReceived(extra) }
    }

    /// Back to line mode; `extra` is parsed as lines first (see ``setLineMode(extra:)-(ArraySlice<UInt8>)``).
    public func setLineMode(extra: [UInt8]) throws {
        try setLineMode(extra: extra[...])
    }

    /// Discards and returns everything received but not yet delivered. Called from
    /// ``lineReceived(_:)``, that is the rest of the current read.
    @discardableResult
    public func clearLineBuffer() -> [UInt8] {
        var cleared: [UInt8] = []
        if isParsing {
            cleared.append(contentsOf: input)
        } else {
            cleared.append(contentsOf: carry)
            carry.removeAll()
        }
        for chunk in reentrantInput { cleared.append(contentsOf: chunk) }
        input = []
        reentrantInput = []
        return cleared
    }

    // MARK: - Producer

    /// After a resume: parses what was held (unless a read is under way, which goes on by itself).
    override func deliverHeld() throws {
        guard !isParsing, !carry.isEmpty else { return }
        try parseHeld()
    }

    // MARK: - Parsing

    /// Splits `data` into lines (or raw data) and delivers them.
    open override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if isParsing {
            if !data.isEmpty { reentrantInput.append(data) }
            return
        }
        guard transport?.isDisconnecting != true else { return }
        if isPaused || (!carry.isEmpty && !isLineMode) {
            carry.append(contentsOf: data)
            if !isPaused { try parseHeld() }
            return
        }
        isParsing = true
        defer { isParsing = false }
        if carry.isEmpty {
            input = data
        } else {
            // Finish the line the last read began, copying only the bytes that complete it.
            guard let used = DelimiterSearch.bytesCompletingLine(held: carry, next: data, delimiter: delimiter) else {
                carry.append(contentsOf: data)
                checkUnterminatedLength()
                return
            }
            carry.append(contentsOf: data.prefix(used))
            input = data.dropFirst(used)
            let lineEnd = carry.count - delimiter.count
            let goOn: Bool
            do {
                // Emptied even if the handler throws, so a later read starts clean.
                defer { carry.reset() }
                goOn = try deliverLine(carry[..<lineEnd])
            }
            guard goOn else { return }
        }
        try parseInput()
    }

    /// Parses what was held (while paused, or before a switch to raw mode) as if it had just
    /// arrived.
    private func parseHeld() throws {
        var held: [UInt8] = []
        swap(&held, &carry)
        isParsing = true
        defer { isParsing = false }
        input = held[...]
        try parseInput()
    }

    /// Delivers the lines (or raw data) in ``input`` and then in ``reentrantInput``; keeps what
    /// is left in ``carry``.
    private func parseInput() throws {
        while !isPaused {
            if input.isEmpty {
                guard !reentrantInput.isEmpty else { break }
                input = reentrantInput.removeFirst()
            }
            if isLineMode {
                guard let end = DelimiterSearch.firstIndex(of: delimiter, in: input) else { break }
                let line = input[..<end]
                input = input[(end + delimiter.count)...]
                guard try deliverLine(line) else { return }
            } else {
                let data = input
                input = []
                try rawDataReceived(data)
            }
        }
        if !input.isEmpty || !reentrantInput.isEmpty {
            carry.append(contentsOf: input)
            for chunk in reentrantInput { carry.append(contentsOf: chunk) }
            input = []
            reentrantInput = []
            if !isPaused && isLineMode { checkUnterminatedLength() }
        }
    }

    /// Delivers one line, or reports it as too long. Returns false when parsing must stop: the
    /// line was too long, or the transport is now disconnecting.
    private func deliverLine(_ line: ArraySlice<UInt8>) throws -> Bool {
        if line.count > maxLength {
            var exceeded = Array(line) + delimiter + Array(input)
            for chunk in reentrantInput { exceeded.append(contentsOf: chunk) }
            discardAll()
            lineLengthExceeded(exceeded)
            return false
        }
        try lineReceived(line)
        if transport?.isDisconnecting == true {
            discardAll()
            return false
        }
        return true
    }

    private func checkUnterminatedLength() {
        if carry.count >= maxLength + delimiter.count {
            let exceeded = carry
            discardAll()
            lineLengthExceeded(exceeded)
        }
    }

    private func discardAll() {
        carry = []
        input = []
        reentrantInput = []
    }
}
