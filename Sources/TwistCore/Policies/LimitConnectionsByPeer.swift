internal import Logging

/// Admits at most ``maxConnectionsPerPeer`` connections at once from each peer host (Twisted's
/// `LimitConnectionsByPeer`, which is broken there: it indexes the address object and never
/// admits an IPv4 peer).
///
/// ```swift
/// let port = try reactor.listenTCP(8000, LimitConnectionsByPeer(wrapping: factory, maxConnectionsPerPeer: 5))
/// ```
///
/// **What it promises.** Connections are grouped by ``peerKey`` of the address given to
/// `buildProtocol` — by default ``hostKey(_:)``: the IP host without its port, so every connection
/// from 192.0.2.7 or 2001:db8::7 counts against one allowance, and an IPv4-mapped IPv6 peer
/// (`::ffff:192.0.2.7`, from a dual-stack listener) counts with its IPv4 self. A peer at its
/// allowance is refused: `buildProtocol` returns nil without asking the wrapped factory (a
/// listening port closes the socket) and one `notice` line is logged through the factory's
/// logger. A connection is counted from `buildProtocol` until its `connectionLost` (or until its
/// protocol is released unconnected), under the key it was admitted with; a peer with nothing
/// open leaves no entry behind. Peers whose key is nil are not limited.
///
/// **UNIX peers are not limited by default**: a UNIX client's address is almost always unnamed,
/// so it names no one, and every client is on this machine. Limit them all together with
/// ``LimitTotalConnectionsFactory``, or pass a ``peerKey`` that returns a key for them.
public final class LimitConnectionsByPeer: WrappingFactory {
    /// The most connections admitted at once from one peer (5 by default, as in Twisted).
    public let maxConnectionsPerPeer: Int

    /// Which peer an address belongs to; nil leaves its connections unlimited.
    public let peerKey: (Address) -> String?

    /// The connections open now from each peer that has any, by key.
    public private(set) var connectionsByPeer: [String: Int] = [:]

    /// A factory admitting at most `maxConnectionsPerPeer` connections at once from each peer,
    /// peers told apart by `peerKey` (the IP host by default). Its logger starts as the wrapped
    /// factory's.
    ///
    /// - Precondition: `maxConnectionsPerPeer` is not negative.
    public init(
        wrapping wrappedFactory: Factory,
        maxConnectionsPerPeer: Int = 5,
        peerKey: @escaping (Address) -> String? = LimitConnectionsByPeer.hostKey
    ) {
        precondition(maxConnectionsPerPeer >= 0, "LimitConnectionsByPeer needs a non-negative limit, got \(maxConnectionsPerPeer)")
        self.maxConnectionsPerPeer = maxConnectionsPerPeer
        self.peerKey = peerKey
        super.init(wrapping: wrappedFactory)
        logger = wrappedFactory.logger
    }

    /// The default ``peerKey``: an IP address's host (an IPv4-mapped IPv6 host as its IPv4
    /// address); nil for UNIX addresses and host names.
    public static func hostKey(_ address: Address) -> String? {
        guard let ip = address.ip else { return nil }
        let mappedPrefix = "::ffff:"
        if ip.family == .ipv6, ip.host.lowercased().hasPrefix(mappedPrefix), ip.host.contains(".") {
            return String(ip.host.dropFirst(mappedPrefix.count))
        }
        return ip.host
    }

    /// How many connections are open now from the peer with `key`.
    public func connectionCount(forPeer key: String) -> Int {
        connectionsByPeer[key, default: 0]
    }

    /// The wrapped factory's protocol, counted under the peer's key, unless the peer is at its
    /// allowance (then nil, and the wrapped factory is not asked).
    public override func buildProtocol(address: Address) -> Protocol? {
        guard let key = peerKey(address) else { return super.buildProtocol(address: address) }
        let open = connectionsByPeer[key, default: 0]
        guard open < maxConnectionsPerPeer else {
            logger.notice("refused connection from \(address): \(open) connections open from \(key), the limit per peer is \(maxConnectionsPerPeer) (\(logPrefix))")
            return nil
        }
        guard let wrapped = wrappedFactory.buildProtocol(address: address) else { return nil }
        connectionsByPeer[key] = open + 1
        let slot = ConnectionSlot { [weak self] in self?.release(key) }
        return CountedProtocolWrapper.around(wrapped, factory: self, slot: slot)
    }

    private func release(_ key: String) {
        guard let open = connectionsByPeer[key] else { return }
        connectionsByPeer[key] = open > 1 ? open - 1 : nil
    }
}
