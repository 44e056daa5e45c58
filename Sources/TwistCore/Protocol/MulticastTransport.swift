/// A UDP port that can take part in multicast groups (Twisted's `IMulticastTransport`), as
/// `listenMulticast` returns it. Every UDP port may send to a group; receiving needs
/// ``joinGroup(_:interface:)``.
///
/// Group and interface addresses must be numeric: IPv4 groups name the interface by its local
/// IPv4 address, IPv6 groups by its name (`"lo"`, `"eth0"`); `""` lets the kernel choose.
public protocol MulticastTransport: DatagramTransport {
    /// Joins the multicast group `group` on `interface`. The Deferred has fired when this
    /// returns: with nothing on success, or with ``MulticastJoinError`` (the kernel refused: not a
    /// multicast address, no such interface) or ``InvalidAddressError`` (not numeric).
    @discardableResult
    func joinGroup(_ group: String, interface: String) -> Deferred<Void>

    /// Leaves a group joined with ``joinGroup(_:interface:)``; a group not joined fails the
    /// Deferred with ``MulticastJoinError``, as in Twisted.
    @discardableResult
    func leaveGroup(_ group: String, interface: String) -> Deferred<Void>

    /// Whether this host's own members receive what the port sends to a group; true by default.
    var loopbackMode: Bool { get }

    /// Turns loopback on or off (`IP_MULTICAST_LOOP` / `IPV6_MULTICAST_LOOP`).
    ///
    /// - Throws: ``DatagramSendError`` with the system's `errno` when the kernel refuses.
    func setLoopbackMode(_ enabled: Bool) throws

    /// The hop limit of datagrams sent to a group; 1 by default (they stay on the local network).
    var ttl: Int { get }

    /// Sets the multicast hop limit, 0–255 (`IP_MULTICAST_TTL` / `IPV6_MULTICAST_HOPS`).
    ///
    /// - Throws: ``DatagramSendError`` when the kernel refuses the value.
    func setTTL(_ ttl: Int) throws

    /// Sends datagrams for groups out of `interface` (an IPv4 port: the interface's local
    /// address; IPv6: its name). The Deferred has fired when this returns, failed with
    /// ``InvalidAddressError`` or ``MulticastJoinError`` when the interface cannot be used.
    @discardableResult
    func setOutgoingInterface(_ interface: String) -> Deferred<Void>
}

extension MulticastTransport {
    /// Joins `group` on the interface the kernel chooses.
    @discardableResult
    public func joinGroup(_ group: String) -> Deferred<Void> { joinGroup(group, interface: "") }

    /// Leaves `group` joined on the interface the kernel chose.
    @discardableResult
    public func leaveGroup(_ group: String) -> Deferred<Void> { leaveGroup(group, interface: "") }
}
