/// A datagram port as its ``DatagramProtocol`` sees it (Twisted's `IUDPTransport`, and
/// `IUNIXDatagramTransport` for a UNIX datagram port, which the port itself provides): sends
/// datagrams, connects to one peer, and stops. On a UNIX datagram port addresses are UNIX names,
/// `connect(host:port:)` throws ``InvalidAddressError`` (it connects when made, with
/// `connectUNIXDatagram`) and broadcast does nothing.
///
/// **Writes are sent at once or not at all**: each `write` is one `sendto`; nothing is queued. A
/// datagram the kernel cannot take right now (its send buffer is full: `EAGAIN`/`ENOBUFS`) is
/// dropped and the write throws ``DatagramDroppedError`` — never silently. The exception: writes
/// made inside `datagramReceived` are gathered and sent together with `sendmmsg` once the port's
/// read batch has been delivered, so a refusal there is logged as an error and counted by the port
/// instead of thrown (Docs/UDP.md, "Batched writes"). A datagram too long for UDP throws
/// ``MessageLengthError`` in either case. Addresses must be numeric: a host name throws
/// ``InvalidAddressError`` (resolve it first). Confined to the reactor thread.
public protocol DatagramTransport: ListeningPort {
    /// The longest datagram delivered whole; longer ones are cut to this size (8192 by default).
    var maxPacketSize: Int { get }

    /// The peer given to ``connect(host:port:)``, or nil while the port is not connected.
    var connectedAddress: Address? { get }

    /// True when datagrams to broadcast addresses may be sent (`SO_BROADCAST`); false by default.
    var isBroadcastAllowed: Bool { get }

    /// Sends `datagram` to `address`, an IP address with a numeric host of the port's family.
    /// On a connected port `address` must be the connected peer.
    ///
    /// - Throws: ``InvalidAddressError`` (a host name, a UNIX address, the other IP family),
    ///   ``MessageLengthError``, ``DatagramDroppedError`` (the kernel's buffer is full; the
    ///   datagram is lost), ``DatagramStateError`` (the port is closed, or connected elsewhere),
    ///   or ``DatagramSendError`` with the system's `errno` for anything else (`EACCES` for a
    ///   broadcast without ``setBroadcastAllowed(_:)``).
    func write(_ datagram: ArraySlice<UInt8>, to address: Address) throws

    /// Sends `datagram` to the connected peer. A refusal the kernel reports here calls the
    /// protocol's `connectionRefused()` and does not throw.
    ///
    /// - Throws: ``DatagramStateError`` when the port is not connected, and otherwise what
    ///   ``write(_:to:)`` throws.
    func write(_ datagram: ArraySlice<UInt8>) throws

    /// Connects the port to `host`:`port` (connected UDP): ``write(_:)`` then needs no address,
    /// and the kernel drops datagrams from every other sender. There is no disconnect.
    ///
    /// - Throws: ``InvalidAddressError`` when `host` is not a numeric address of the port's
    ///   family, ``DatagramStateError`` when the port is connected already or closed.
    func connect(host: String, port: Int) throws

    /// Allows or forbids sending to broadcast addresses (`SO_BROADCAST`).
    func setBroadcastAllowed(_ allowed: Bool)
}

extension DatagramTransport {
    /// The port's own address (Twisted's `getHost()`): the same as ``ListeningPort/address``.
    public var host: Address { address }

    /// Sends the bytes of `datagram` to `address`; see ``write(_:to:)``.
    public func write(_ datagram: [UInt8], to address: Address) throws {
        try write(datagram[...], to: address)
    }

    /// Sends the bytes of `datagram` to the connected peer; see ``write(_:)``.
    public func write(_ datagram: [UInt8]) throws {
        try write(datagram[...])
    }

    /// Sends `parts`, joined in order, as **one** datagram to `address` (Twisted's
    /// `writeSequence(seq, addr)`); throws what ``write(_:to:)`` throws, for the joined length.
    public func writeSequence(_ parts: [ArraySlice<UInt8>], to address: Address) throws {
        try write(Self.joined(parts)[...], to: address)
    }

    /// Sends `parts`, joined in order, as one datagram to the connected peer; throws what
    /// ``write(_:)`` throws.
    public func writeSequence(_ parts: [ArraySlice<UInt8>]) throws {
        try write(Self.joined(parts)[...])
    }

    /// `parts` as one contiguous datagram.
    private static func joined(_ parts: [ArraySlice<UInt8>]) -> [UInt8] {
        var datagram: [UInt8] = []
        datagram.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { datagram.append(contentsOf: part) }
        return datagram
    }
}
