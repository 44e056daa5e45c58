internal import Logging

/// A protocol that receives and sends netstrings (Twisted's
/// `twisted.protocols.basic.NetstringReceiver`): `<length>:<payload>,` with the length in ASCII
/// decimal.
///
/// Subclass it and override ``stringReceived(_:)``; send with ``sendString(_:)``.
///
/// **What it promises.** Netstrings split across reads in any way are reassembled; several in one
/// read are delivered in order. A payload that lies whole in one read is handed over as a view of
/// that read (no copy, no allocation); keep it beyond the call by copying it (`Array(string)`).
/// Malformed input — a first byte that is not a digit, a length with a leading zero, digits not
/// followed by `:`, a length above ``maxLength`` (refused while its digits are still arriving),
/// or a byte other than `,` after the payload — ends the same way every time: netstrings
/// completed earlier in that read are delivered, ``netstringParseFailed(_:)`` hears a
/// ``NetstringParseError``, the connection is closed gracefully (`loseConnection()`: what was
/// already written is still sent), and nothing after the error is delivered.
///
/// **Differences from Twisted.** Once the transport is disconnecting (for instance because
/// ``stringReceived(_:)`` called `loseConnection()`), no further netstring is delivered; Twisted
/// keeps delivering the rest of that read. A length of digits followed by a lone `\n` is an error
/// at once, not when the next byte arrives.
open class NetstringReceiver: Protocol {
    /// The default ``maxLength``: 99,999 payload bytes, as in Twisted.
    public static let defaultMaxLength = 99_999

    /// The longest payload accepted, in bytes; a longer netstring is a parse error. Settable at
    /// any time (between 0 and `Int.max / 16`); it applies to the next length parsed.
    public var maxLength: Int = NetstringReceiver.defaultMaxLength {
        didSet { precondition((0...(Int.max / 16)).contains(maxLength), "maxLength out of range: \(maxLength)") }
    }

    /// True once the peer sent malformed input (Twisted's `brokenPeer`); nothing more is parsed.
    public private(set) var brokenPeer = false

    private enum State {
        /// Reading the length: its value so far, and whether any digit came yet.
        case length(Int, hasDigits: Bool)
        /// Reading a payload of this many bytes.
        case payload(Int)
        /// The payload is whole in ``carry``; the `,` is due.
        case comma
    }

    // The parser's state is confined to the reactor thread and never accessed overlappingly, so
    // the dynamic exclusivity checks (a runtime call per access, on every byte's path) are off.
    @exclusivity(unchecked) private var state = State.length(0, hasDigits: false)
    /// A payload that did not fit in one read: allocated at its full length when it starts
    /// (empty otherwise), filled up to ``carryFilled``.
    @exclusivity(unchecked) private var carry: [UInt8] = []
    /// How many bytes of ``carry`` have arrived.
    @exclusivity(unchecked) private var carryFilled = 0
    /// Bytes accepted before the current read, for error offsets.
    @exclusivity(unchecked) private var streamOffset = 0
    /// Data handed to ``dataReceived(_:)`` from inside ``stringReceived(_:)``, parsed afterwards.
    @exclusivity(unchecked) private var reentrantInput: [UInt8] = []
    @exclusivity(unchecked) private var isParsing = false

    /// A receiver with the default ``maxLength``.
    public override init() {}

    /// One netstring arrived; `string` is its payload. The base implementation throws
    /// ``HandlerNotImplemented``, which closes the connection: override it.
    ///
    /// `string` is valid beyond this call, but it may be a view of a large receive buffer: copy
    /// what you keep. An error thrown here closes the connection with that error.
    open func stringReceived(_ string: ArraySlice<UInt8>) throws {
        throw HandlerNotImplemented(receiver: logPrefix, method: "stringReceived(_:)")
    }

    /// The peer sent a malformed netstring. Called once, just before the receiver closes the
    /// connection gracefully; the default logs one warning line through the factory's logger.
    open func netstringParseFailed(_ error: NetstringParseError) {
        let peer = transport.map { "\($0.peer)" } ?? "unconnected"
        (factory?.logger ?? Logger(label: "twist.basic")).warning(
            "\(logPrefix) from \(peer): \(error); closing the connection")
    }

    /// Sends `string` as one netstring. A payload over 1,000 bytes that is an array or an
    /// array's slice is not copied: the length and the comma are written around it, and the
    /// transport queues it by reference (see ``FrameWriter``); a shorter one goes in one write.
    /// The length is not checked against ``maxLength`` (that limit is what this side accepts,
    /// as in Twisted).
    ///
    /// Inlinable, so that it is specialised for the caller's collection type: a generic copy
    /// across the module boundary would look up type metadata for every message.
    @inlinable
    public func sendString<Bytes: Collection<UInt8>>(_ string: Bytes) {
        guard let transport else { return }
        let count = string.count
        withUnsafeBytes(of: UInt8(ascii: ",")) { comma in
            FrameWriter.write(string, to: transport, headerCapacity: 21, header: { header in
                let end = Self.writeDecimal(count, into: header)
                header[end] = UInt8(ascii: ":")
                return end + 1
            }, trailer: comma)
        }
    }

    /// Writes the ASCII decimal digits of `value` (not negative) at the start of `frame` and
    /// returns how many there are.
    @inlinable
    static func writeDecimal(_ value: Int, into frame: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        var remaining = value
        for index in stride(from: digits - 1, through: 0, by: -1) {
            frame[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining % 10)
            remaining /= 10
        }
        return digits
    }

    /// Parses `data`, delivering each complete netstring to ``stringReceived(_:)``.
    open override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if isParsing {
            reentrantInput.append(contentsOf: data)
            return
        }
        isParsing = true
        defer { isParsing = false }
        try parse(data)
        while !reentrantInput.isEmpty {
            let more = reentrantInput
            reentrantInput = []
            try parse(more[...])
        }
    }

    private func parse(_ data: ArraySlice<UInt8>) throws {
        guard !brokenPeer, transport?.isDisconnecting != true else { return }
        let end = data.endIndex
        var i = data.startIndex
        defer { streamOffset += i - data.startIndex }
        while i < end {
            switch state {
            case .length(var value, var hasDigits):
                let limit = maxLength
                while true {
                    let byte = data[i]
                    let digit = byte &- UInt8(ascii: "0")
                    if digit < 10 {
                        if hasDigits && value == 0 { return fail(.leadingZero, at: i, in: data) }
                        value = value &* 10 &+ Int(digit)
                        if value > limit { return fail(.lengthTooLarge(limit: limit), at: i, in: data) }
                        hasDigits = true
                    } else if byte == UInt8(ascii: ":") && hasDigits {
                        i += 1
                        state = .payload(value)
                        break
                    } else {
                        return fail(hasDigits ? .expectedColon(found: byte) : .expectedDigit(found: byte), at: i, in: data)
                    }
                    i += 1
                    if i == end {
                        state = .length(value, hasDigits: hasDigits)
                        break
                    }
                }
            case .payload(let length):
                if carry.isEmpty && end - i > length {
                    // The whole payload and the byte after it are in this read: hand over a view.
                    let payloadEnd = i + length
                    let trailer = data[payloadEnd]
                    guard trailer == UInt8(ascii: ",") else {
                        return fail(.expectedComma(found: trailer), at: payloadEnd, in: data)
                    }
                    let payload = data[i..<payloadEnd]
                    i = payloadEnd + 1
                    state = .length(0, hasDigits: false)
                    try stringReceived(payload)
                    if transport?.isDisconnecting == true { return }
                } else {
                    if carry.isEmpty { startCarry(length) }
                    let take = min(length - carryFilled, end - i)
                    carry.withUnsafeMutableBytes { target in
                        data[i..<(i + take)].withUnsafeBytes {
                            target.baseAddress!.advanced(by: carryFilled).copyMemory(from: $0.baseAddress!, byteCount: take)
                        }
                    }
                    carryFilled += take
                    i += take
                    if carryFilled == length { state = .comma }
                }
            case .comma:
                let trailer = data[i]
                guard trailer == UInt8(ascii: ",") else {
                    return fail(.expectedComma(found: trailer), at: i, in: data)
                }
                i += 1
                state = .length(0, hasDigits: false)
                do {
                    // Emptied even if the handler throws, so a later read starts clean.
                    defer { endCarry() }
                    try stringReceived(carry[...])
                }
                if transport?.isDisconnecting == true { return }
            }
        }
    }

    // MARK: A payload longer than one read

    /// The default ``directReadMinimum``: 1 KiB.
    public static let defaultDirectReadMinimum = 1_024

    /// A payload still missing at least this many bytes after a read is offered to the
    /// transport's next read (``readDirectly(_:)``); a shorter rest is copied from the receive
    /// buffer, which costs less than the second `iovec`. At least 1; tests and fuzzers set it low
    /// to drive every payload through the direct path.
    public var directReadMinimum = NetstringReceiver.defaultDirectReadMinimum {
        didSet { precondition(directReadMinimum >= 1, "directReadMinimum must be at least 1") }
    }

    /// Takes the rest of a long payload straight into ``carry`` (see
    /// ``Protocol/readDirectly(_:)``): the bytes after it, from the trailing `,` on, are
    /// delivered to ``dataReceived(_:)`` by the transport as usual.
    public final override func readDirectly(_ read: (UnsafeMutableRawBufferPointer) -> Int) -> Int? {
        guard case .payload(let length) = state, !carry.isEmpty, !isParsing, !brokenPeer else { return nil }
        let wanted = length - carryFilled
        guard wanted >= directReadMinimum else { return nil }
        let count = carry.withUnsafeMutableBytes {
            read(UnsafeMutableRawBufferPointer(rebasing: $0[carryFilled...]))
        }
        if count > 0 {
            let taken = min(count, wanted)
            carryFilled += taken
            streamOffset += taken
            if carryFilled == length { state = .comma }
        }
        return count
    }

    /// Makes ``carry`` exactly `length` bytes long for a payload that did not fit in one read.
    /// A small one reuses the storage kept from the last (zeroing a few bytes is cheap). A large
    /// one gets a buffer whose bytes are not zeroed first: each is written (copied from a read,
    /// or read into directly) before ``carryFilled`` passes it, and only the whole, filled
    /// payload is ever handed out — zeroing would cost as much as the copy that reading directly
    /// saves.
    private func startCarry(_ length: Int) {
        if length <= [UInt8].carryCapacityKept {
            carry.append(contentsOf: repeatElement(0, count: length))
        } else {
            carry = [UInt8](unsafeUninitializedCapacity: length) { _, initializedCount in initializedCount = length }
        }
        carryFilled = 0
    }

    /// Ends the carried payload (the handler may keep its view of it): small storage is kept for
    /// the next one, large storage let go.
    private func endCarry() {
        carry.reset()
        carryFilled = 0
    }

    private func fail(_ kind: NetstringParseError.Kind, at index: Int, in data: ArraySlice<UInt8>) {
        brokenPeer = true
        endCarry()
        reentrantInput = []
        netstringParseFailed(NetstringParseError(kind, offset: streamOffset + (index - data.startIndex)))
        transport?.loseConnection()
    }
}
