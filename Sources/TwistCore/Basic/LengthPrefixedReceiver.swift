/// A protocol that receives strings framed by a big-endian unsigned length prefix (Twisted's
/// `IntNStringReceiver`); use ``Int32StringReceiver``, ``Int16StringReceiver`` or
/// ``Int8StringReceiver``.
///
/// Subclass one and override ``stringReceived(_:)``; send with ``sendString(_:)``.
///
/// **What it promises.** Strings split across reads in any way are reassembled, several in one
/// read delivered in order; a string that lies whole in one read is a view of that read. A
/// prefix above ``maxLength`` goes to ``lengthLimitExceeded(_:)`` as soon as the prefix is read
/// (it closes the connection by default); that string is never delivered, even if it is all
/// there, and the receiver parses nothing more from this peer (the stream cannot be trusted to
/// be in step any longer). Once the transport is disconnecting no string is delivered. While
/// paused, strings are held and delivered on ``resumeProducing()``.
open class LengthPrefixedReceiver: PausableReceiver {
    /// The prefix's width in bytes (1 to 4).
    public let prefixLength: Int

    /// The longest string accepted; 99,999 by default, as in Twisted. (A one-byte prefix can
    /// never exceed it, nor can a two-byte one.)
    public var maxLength = 99_999

    /// The largest length the prefix can carry: 2^(8 × ``prefixLength``) − 1.
    public var prefixLimit: Int { (1 << (8 * prefixLength)) - 1 }

    /// True once a prefix exceeded ``maxLength``; nothing more is parsed.
    public private(set) var brokenPeer = false

    private enum State {
        /// Reading the prefix: its value so far and how many of its bytes came.
        case prefix(Int, bytesRead: Int)
        /// Reading a string of this many bytes.
        case payload(Int)
    }

    // Confined to the reactor thread, never accessed overlappingly: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var state = State.prefix(0, bytesRead: 0)
    /// The start of a string that did not fit in one read.
    @exclusivity(unchecked) private var carry: [UInt8] = []
    /// Bytes received while paused, or left unparsed when a handler paused.
    @exclusivity(unchecked) private var held: [UInt8] = []
    @exclusivity(unchecked) private var isParsing = false

    /// A receiver whose prefix is `prefixLength` bytes wide (1 to 4).
    public init(prefixLength: Int) {
        precondition((1...4).contains(prefixLength), "prefix length must be 1 to 4 bytes")
        self.prefixLength = prefixLength
    }

    /// One string arrived. The base implementation throws ``HandlerNotImplemented``, which
    /// closes the connection: override it. Copy what you keep.
    open func stringReceived(_ string: ArraySlice<UInt8>) throws {
        throw HandlerNotImplemented(receiver: logPrefix, method: "stringReceived(_:)")
    }

    /// A prefix announced `length` bytes, more than ``maxLength``. The default closes the
    /// connection gracefully.
    open func lengthLimitExceeded(_ length: Int) {
        transport?.loseConnection()
    }

    /// Sends `string` with its length prefix. A string over 1,000 bytes that is an array or an
    /// array's slice is not copied: the prefix is written before it and the transport queues it
    /// by reference (see ``FrameWriter``); a shorter one goes in one write.
    ///
    /// - Throws: ``StringTooLongError`` when the length does not fit the prefix; nothing is sent.
    @inlinable
    public func sendString<Bytes: Collection<UInt8>>(_ string: Bytes) throws {
        let count = string.count
        guard count <= prefixLimit else { throw StringTooLongError(length: count, limit: prefixLimit) }
        guard let transport else { return }
        let prefixLength = self.prefixLength
        FrameWriter.write(string, to: transport, headerCapacity: prefixLength, header: { header in
            for index in 0..<prefixLength {
                header[index] = UInt8(truncatingIfNeeded: count >> (8 * (prefixLength - 1 - index)))
            }
            return prefixLength
        }, trailer: UnsafeRawBufferPointer(start: nil, count: 0))
    }

    // MARK: - Producer

    /// After a resume: parses what was held (unless a read is under way, which goes on by itself).
    override func deliverHeld() throws {
        guard !isParsing, !held.isEmpty else { return }
        var pending: [UInt8] = []
        swap(&pending, &held)
        try dataReceived(pending[...])
    }

    // MARK: - Parsing

    /// Parses `data`, delivering each complete string to ``stringReceived(_:)``.
    open override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        guard !brokenPeer, transport?.isDisconnecting != true else { return }
        if isPaused || isParsing {
            held.append(contentsOf: data)
            return
        }
        isParsing = true
        defer { isParsing = false }
        try parse(data)
        while !isPaused && !held.isEmpty && !brokenPeer {
            var next: [UInt8] = []
            swap(&next, &held)
            try parse(next[...])
        }
    }

    private func parse(_ data: ArraySlice<UInt8>) throws {
        let end = data.endIndex
        var i = data.startIndex
        while i < end {
            if isPaused {
                held.insert(contentsOf: data[i...], at: 0)
                return
            }
            switch state {
            case .prefix(var value, var bytesRead):
                while bytesRead < prefixLength && i < end {
                    value = value << 8 | Int(data[i])
                    bytesRead += 1
                    i += 1
                }
                guard bytesRead == prefixLength else {
                    state = .prefix(value, bytesRead: bytesRead)
                    return
                }
                guard value <= maxLength else {
                    brokenPeer = true
                    carry = []
                    held = []
                    lengthLimitExceeded(value)
                    return
                }
                state = .payload(value)
                if value == 0 {
                    state = .prefix(0, bytesRead: 0)
                    guard try deliver(data[i..<i]) else { return }
                }
            case .payload(let length):
                if carry.isEmpty && end - i >= length {
                    let string = data[i..<(i + length)]
                    i += length
                    state = .prefix(0, bytesRead: 0)
                    guard try deliver(string) else { return }
                } else {
                    if carry.isEmpty { carry.reserveCapacity(length) }
                    let take = min(length - carry.count, end - i)
                    carry.append(contentsOf: data[i..<(i + take)])
                    i += take
                    if carry.count == length {
                        state = .prefix(0, bytesRead: 0)
                        let delivered: Bool
                        do {
                            // Emptied even if the handler throws, so a later read starts clean.
                            defer { carry.reset() }
                            delivered = try deliver(carry[...])
                        }
                        guard delivered else { return }
                    }
                }
            }
        }
    }

    /// Delivers one string; returns whether parsing may go on.
    private func deliver(_ string: ArraySlice<UInt8>) throws -> Bool {
        try stringReceived(string)
        if transport?.isDisconnecting == true {
            carry = []
            held = []
            return false
        }
        return true
    }
}

/// A ``LengthPrefixedReceiver`` with a 4-byte prefix (Twisted's `Int32StringReceiver`).
open class Int32StringReceiver: LengthPrefixedReceiver {
    /// A receiver with a 4-byte big-endian prefix.
    public init() { super.init(prefixLength: 4) }
}

/// A ``LengthPrefixedReceiver`` with a 2-byte prefix (Twisted's `Int16StringReceiver`).
open class Int16StringReceiver: LengthPrefixedReceiver {
    /// A receiver with a 2-byte big-endian prefix.
    public init() { super.init(prefixLength: 2) }
}

/// A ``LengthPrefixedReceiver`` with a 1-byte prefix (Twisted's `Int8StringReceiver`).
open class Int8StringReceiver: LengthPrefixedReceiver {
    /// A receiver with a 1-byte big-endian prefix.
    public init() { super.init(prefixLength: 1) }
}
