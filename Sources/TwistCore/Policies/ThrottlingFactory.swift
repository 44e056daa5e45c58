internal import Logging

/// Caps the number of connections and the byte rate of all of them together (Twisted's
/// `ThrottlingFactory`).
///
/// ```swift
/// let throttled = ThrottlingFactory(wrapping: factory, maxConnectionCount: 100, readLimit: 1 << 20, clock: reactor)
/// ```
///
/// **Connections.** Past ``maxConnectionCount`` open connections, `buildProtocol` returns nil
/// without asking the wrapped factory (a listening port closes the socket) and logs one `notice`
/// line through the factory's logger. A connection counts from `buildProtocol` until its
/// `connectionLost` (or until its protocol is released unconnected).
///
/// **Rates.** Bytes received (``readLimit``) and sent (``writeLimit``) are counted per second
/// across all connections. From the first connection, a check runs every second (the first at
/// once); a second over a limit throttles for `bytes / limit − 1` seconds, the time the excess
/// takes at the limit:
/// - over the read limit, every connection's transport stops reading (`pauseProducing`) and
///   resumes afterwards (a connection made meanwhile starts paused);
/// - over the write limit, every connection's registered *push* producer is paused and resumed
///   afterwards. Writes themselves are never refused or delayed (a transport's writes never
///   block and never drop); a pull producer is not throttled.
/// A pause the protocol asked for itself, or that the transport's flow control put on its
/// producer, outlasts the throttle: the throttle resumes only what it paused. The timers stop
/// when the last connection goes, and start again with the next.
public final class ThrottlingFactory: WrappingFactory {
    /// The most connections open at once (`Int.max`, no limit, by default).
    public let maxConnectionCount: Int

    /// Bytes per second received over all connections before reads are throttled; nil for none.
    public var readLimit: Int? { reads?.limit }

    /// Bytes per second sent over all connections before producers are throttled; nil for none.
    public var writeLimit: Int? { writes?.limit }

    /// The connections counted now: built and not yet lost.
    public private(set) var connectionCount = 0

    private var reads: ByteRateLimit?
    private var writes: ByteRateLimit?

    /// A factory wrapping `wrappedFactory`'s protocols with at most `maxConnectionCount`
    /// connections open and the given limits in bytes per second (nil: unlimited), timed on
    /// `clock` (the reactor, or a `TestClock`). Its logger starts as the wrapped factory's.
    ///
    /// - Precondition: `maxConnectionCount` is not negative; each limit is nil or positive.
    public init(
        wrapping wrappedFactory: Factory,
        maxConnectionCount: Int = .max,
        readLimit: Int? = nil,
        writeLimit: Int? = nil,
        clock: any ReactorTime
    ) {
        precondition(maxConnectionCount >= 0, "ThrottlingFactory needs a non-negative connection count, got \(maxConnectionCount)")
        self.maxConnectionCount = maxConnectionCount
        super.init(wrapping: wrappedFactory)
        logger = wrappedFactory.logger
        reads = readLimit.map { limit in
            ByteRateLimit(limit: limit, clock: clock,
                          throttle: { [unowned self] in throttleReads() },
                          unthrottle: { [unowned self] in unthrottleReads() })
        }
        writes = writeLimit.map { limit in
            ByteRateLimit(limit: limit, clock: clock,
                          throttle: { [unowned self] in throttleWrites() },
                          unthrottle: { [unowned self] in unthrottleWrites() })
        }
    }

    /// True while a second over the read limit holds reading paused.
    public var readsAreThrottled: Bool { reads?.isThrottled ?? false }

    /// True while a second over the write limit holds producers paused.
    public var writesAreThrottled: Bool { writes?.isThrottled ?? false }

    /// The wrapped factory's protocol in a throttling wrapper, unless ``maxConnectionCount``
    /// connections are open (then nil, and the wrapped factory is not asked). The first
    /// connection starts the rate checks.
    public override func buildProtocol(address: Address) -> Protocol? {
        guard connectionCount < maxConnectionCount else {
            logger.notice("refused connection from \(address): \(connectionCount) connections open, the maximum is \(maxConnectionCount) (\(logPrefix))")
            return nil
        }
        guard let wrapped = wrappedFactory.buildProtocol(address: address) else { return nil }
        if connectionCount == 0 {
            reads?.start()
            writes?.start()
        }
        connectionCount += 1
        let slot = ConnectionSlot { [weak self] in self?.connectionEnded() }
        return ThrottlingProtocolWrapper.throttling(wrapped, factory: self, slot: slot)
    }

    /// Counts `count` bytes received.
    func registerRead(_ count: Int) { reads?.count(count) }

    /// Counts `count` bytes written.
    func registerWritten(_ count: Int) { writes?.count(count) }

    private func connectionEnded() {
        connectionCount -= 1
        guard connectionCount == 0 else { return }
        reads?.stop()
        writes?.stop()
    }

    private var throttlingWrappers: [ThrottlingProtocolWrapper] {
        protocols.compactMap { $0 as? ThrottlingProtocolWrapper }
    }

    private func throttleReads() {
        logger.debug("throttling reads: over \(readLimit ?? 0) bytes per second (\(logPrefix))")
        for wrapper in throttlingWrappers { wrapper.throttleReads() }
    }

    private func unthrottleReads() {
        logger.debug("stopped throttling reads (\(logPrefix))")
        for wrapper in throttlingWrappers { wrapper.unthrottleReads() }
    }

    private func throttleWrites() {
        logger.debug("throttling writes: over \(writeLimit ?? 0) bytes per second (\(logPrefix))")
        for wrapper in throttlingWrappers { wrapper.throttleWrites() }
    }

    private func unthrottleWrites() {
        logger.debug("stopped throttling writes (\(logPrefix))")
        for wrapper in throttlingWrappers { wrapper.unthrottleWrites() }
    }
}
