internal import Logging

/// Admits at most ``connectionLimit`` connections at once; past it, serves an overflow protocol
/// or refuses (Twisted's `LimitTotalConnectionsFactory`, which builds its own protocols; this one
/// wraps a factory, as every policy here does).
///
/// ```swift
/// let port = try reactor.listenTCP(8000, LimitTotalConnectionsFactory(wrapping: factory, connectionLimit: 1000))
/// ```
///
/// **What it promises.** Under the limit, a connection gets the wrapped factory's protocol. At
/// the limit, it gets ``makeOverflowProtocol`` when one is given — counted like any other, with
/// this factory as its ``Protocol/factory`` — and is refused otherwise: `buildProtocol` returns
/// nil, so a listening port closes the socket, and one `notice` line is logged through the
/// factory's logger. Either way the wrapped factory is not asked. A connection is counted from
/// `buildProtocol` until its `connectionLost` (or until its protocol is released unconnected);
/// nothing else is disturbed. `nil` as the limit admits everyone.
public final class LimitTotalConnectionsFactory: WrappingFactory {
    /// The most connections admitted at once; nil for no limit.
    public let connectionLimit: Int?

    /// Builds the protocol served to a connection over the limit (one that says "busy" and
    /// closes, say); nil refuses such connections instead.
    public let makeOverflowProtocol: (() -> Protocol)?

    /// The connections counted now: built and not yet lost, overflow ones included.
    public private(set) var connectionCount = 0

    /// A factory admitting at most `connectionLimit` connections to `wrappedFactory`'s protocols
    /// at once, serving `overflow`'s protocol (or refusing) past that. Its logger starts as the
    /// wrapped factory's.
    ///
    /// - Precondition: `connectionLimit` is nil or not negative.
    public init(wrapping wrappedFactory: Factory, connectionLimit: Int?, overflow: (() -> Protocol)? = nil) {
        precondition((connectionLimit ?? 0) >= 0, "LimitTotalConnectionsFactory needs a non-negative limit, got \(connectionLimit ?? 0)")
        self.connectionLimit = connectionLimit
        makeOverflowProtocol = overflow
        super.init(wrapping: wrappedFactory)
        logger = wrappedFactory.logger
    }

    /// The wrapped factory's protocol under the limit; over it, the overflow protocol or nil.
    /// Counts the connection when it returns a protocol.
    public override func buildProtocol(address: Address) -> Protocol? {
        let admitted: Protocol
        if connectionLimit.map({ connectionCount < $0 }) ?? true {
            guard let built = wrappedFactory.buildProtocol(address: address) else { return nil }
            admitted = built
        } else if let makeOverflowProtocol {
            admitted = makeOverflowProtocol()
            admitted.factory = self
        } else {
            logger.notice("refused connection from \(address): \(connectionCount) connections open, the limit is \(connectionLimit ?? 0) (\(logPrefix))")
            return nil
        }
        connectionCount += 1
        let slot = ConnectionSlot { [weak self] in self?.connectionCount -= 1 }
        return CountedProtocolWrapper.around(admitted, factory: self, slot: slot)
    }
}
