public import TwistCore

/// A datagram port with no socket — UDP, or UNIX when its address is a UNIX name: records every
/// datagram written and lets a test deliver datagrams and refusals to its protocol, so a
/// ``DatagramProtocol`` can be tested without a reactor (Twisted's tests build such fakes by
/// hand; TwistTesting ships one).
///
/// Attach a protocol with ``attach(_:)`` (its `startProtocol` runs), feed it with
/// ``deliver(_:from:)``, read ``written``. Writes are checked as the real port checks them — a
/// host name or the other IP family (on a UNIX fake: anything but a named UNIX socket) throws
/// ``InvalidAddressError``, more than 65,507 bytes on a UDP fake ``MessageLengthError``, a write without address on an unconnected port
/// ``DatagramStateError`` — and a test can make the next writes fail with ``failWrites``
/// (``DatagramDroppedError``, say, to test a protocol's answer to a full send buffer).
/// ``stopListening()`` stops the protocol at once (there is no loop to wait for).
public final class FakeDatagramTransport: MulticastTransport {
    /// One datagram written.
    public struct Datagram: Equatable, CustomStringConvertible {
        /// Its bytes.
        public let data: [UInt8]
        /// Where it went: the address given, or the connected peer for `write(_:)`.
        public let destination: Address

        /// A datagram of `data` for `destination`, to compare ``FakeDatagramTransport/written`` with.
        public init(data: [UInt8], destination: Address) {
            self.data = data
            self.destination = destination
        }

        /// "<destination> <bytes as UTF-8>".
        public var description: String { "\(destination) \(String(decoding: data, as: UTF8.self))" }
    }

    /// The port's own address: 127.0.0.1:9999 unless given.
    public let address: Address
    /// The receive size a test may read; nothing is cut by the fake.
    public let maxPacketSize: Int
    /// Every datagram written, in order, until ``clear()``.
    public private(set) var written: [Datagram] = []
    /// The peer given to ``connect(host:port:)`` or to the initializer.
    public private(set) var connectedAddress: Address?
    /// Set by ``setBroadcastAllowed(_:)``.
    public private(set) var isBroadcastAllowed = false
    /// True until ``stopListening()``.
    public private(set) var isListening = true
    /// When set, every write throws it (and records nothing) until it is set back to nil.
    public var failWrites: (any Error)?
    /// The groups joined, as "group@interface".
    public private(set) var groups: Set<String> = []
    /// Set by ``setLoopbackMode(_:)``; true at first.
    public private(set) var loopbackMode = true
    /// Set by ``setTTL(_:)``; 1 at first.
    public private(set) var ttl = 1
    /// Set by ``setOutgoingInterface(_:)``; "" at first.
    public private(set) var outgoingInterface = ""
    /// The attached protocol.
    public private(set) var attached: DatagramProtocol?

    /// A fake port at `address` (a UNIX name makes a UNIX datagram fake), connected to `peer`
    /// when one is given (as `connectUNIXDatagram` makes them).
    public init(address: Address = .ipv4("127.0.0.1", 9999), maxPacketSize: Int = 8192, connectedTo peer: Address? = nil) {
        self.address = address
        self.maxPacketSize = maxPacketSize
        self.connectedAddress = peer
    }

    /// Attaches `datagramProtocol` (`makeConnection`: its `startProtocol` runs now).
    ///
    /// - Throws: what `makeConnection` throws (the protocol serves another port).
    public func attach(_ datagramProtocol: DatagramProtocol) throws {
        attached = datagramProtocol
        try datagramProtocol.makeConnection(self)
    }

    /// Hands `datagram` to the protocol's `datagramReceived` as if it came from `sender`; on a
    /// connected port a datagram from anyone but the peer is dropped, as the kernel drops it.
    /// Errors the protocol throws reach the caller (the real port logs them and goes on).
    public func deliver(_ datagram: some Sequence<UInt8>, from sender: Address) throws {
        guard isListening, let attached else { return }
        if let connectedAddress, connectedAddress != sender { return }
        try attached.datagramReceived(Array(datagram)[...], from: sender)
    }

    /// Tells a connected port's protocol that its peer refused (`connectionRefused`); an
    /// unconnected port ignores it, as the real one does.
    public func deliverRefusal() {
        guard isListening, connectedAddress != nil else { return }
        attached?.connectionRefused()
    }

    /// Forgets what was written.
    public func clear() { written = [] }

    /// Records `datagram` for `address` after the real port's checks.
    public func write(_ datagram: ArraySlice<UInt8>, to address: Address) throws {
        try check(datagram)
        let destination = try checkedDestination(address)
        if let connectedAddress, connectedAddress != destination {
            throw DatagramStateError("connected to \(connectedAddress); cannot write to \(address)")
        }
        written.append(Datagram(data: Array(datagram), destination: destination))
    }

    /// `address` as the real port of this fake's kind would take it: a numeric IP address of the
    /// port's family, or a named UNIX socket on a UNIX fake.
    private func checkedDestination(_ address: Address) throws -> Address {
        if case .unix = self.address {
            guard case .unix(let name) = address else {
                throw InvalidAddressError("\(address): a UNIX datagram port sends to UNIX socket names only")
            }
            guard name != .unnamed else { throw InvalidAddressError("an unnamed UNIX socket cannot be written to") }
            return address
        }
        guard case .ip(let ip) = address, let numeric = IPAddress(numericHost: ip.host, port: ip.port) else {
            throw InvalidAddressError("\(address): a UDP port sends to numeric IP addresses only")
        }
        guard case .ip(let own) = self.address, own.family == numeric.family else {
            throw InvalidAddressError("\(ip.host) is not of this port's IP family")
        }
        return .ip(numeric)
    }

    /// Records `datagram` for the connected peer.
    public func write(_ datagram: ArraySlice<UInt8>) throws {
        try check(datagram)
        guard let connectedAddress else {
            throw DatagramStateError("the port is not connected: write(_:to:) needs an address")
        }
        written.append(Datagram(data: Array(datagram), destination: connectedAddress))
    }

    private func check(_ datagram: ArraySlice<UInt8>) throws {
        guard isListening else { throw DatagramStateError("the port is not listening") }
        if let failWrites { throw failWrites }
        if case .ip = address, datagram.count > 65_507 { throw MessageLengthError("\(datagram.count) bytes") }
    }

    /// Records the peer; a host name (or any call on a UNIX fake) throws ``InvalidAddressError``,
    /// a second connect ``DatagramStateError``.
    public func connect(host: String, port: Int) throws {
        guard isListening else { throw DatagramStateError("the port is not listening") }
        if let connectedAddress { throw DatagramStateError("already connected to \(connectedAddress)") }
        if case .unix = address {
            throw InvalidAddressError("\(host):\(port): a UNIX datagram port connects to a name, with connectUNIXDatagram")
        }
        guard let numeric = IPAddress(numericHost: host, port: port) else {
            throw InvalidAddressError("\"\(host)\" is not a numeric IP address")
        }
        connectedAddress = .ip(numeric)
    }

    /// Records the setting.
    public func setBroadcastAllowed(_ allowed: Bool) { isBroadcastAllowed = allowed }

    /// Stops at once: the protocol hears `stopProtocol` now, and the result has fired.
    @discardableResult
    public func stopListening() -> Deferred<Void> {
        if isListening {
            isListening = false
            attached?.doStop()
            attached = nil
        }
        return succeed(())
    }

    /// Records the group; fails with ``MulticastJoinError`` when it is joined already.
    @discardableResult
    public func joinGroup(_ group: String, interface: String) -> Deferred<Void> {
        groups.insert("\(group)@\(interface)").inserted
            ? succeed(()) : fail(MulticastJoinError(group: group, interface: interface, "already joined"))
    }

    /// Forgets the group; fails with ``MulticastJoinError`` when it was not joined.
    @discardableResult
    public func leaveGroup(_ group: String, interface: String) -> Deferred<Void> {
        groups.remove("\(group)@\(interface)") != nil
            ? succeed(()) : fail(MulticastJoinError(group: group, interface: interface, "not joined"))
    }

    /// Records the mode.
    public func setLoopbackMode(_ enabled: Bool) throws { loopbackMode = enabled }

    /// Records the TTL (0–255, else ``DatagramSendError``).
    public func setTTL(_ ttl: Int) throws {
        guard (0...255).contains(ttl) else { throw DatagramSendError("a multicast TTL is 0...255, not \(ttl)") }
        self.ttl = ttl
    }

    /// Records the interface.
    @discardableResult
    public func setOutgoingInterface(_ interface: String) -> Deferred<Void> {
        outgoingInterface = interface
        return succeed(())
    }
}
