import Glibc

/// A client factory that connects again, with growing delays, whenever the connection fails or is
/// lost (Twisted's `ReconnectingClientFactory`).
///
/// Each failure or loss, while still trying, schedules a retry on `clock` after ``delay`` seconds
/// (with jitter, a normal draw around it, stored back), then multiplies ``delay`` by ``factor`` up
/// to ``maxDelay`` — the newer Twisted rule, so the first retry waits ``initialDelay``. It gives
/// up once ``retries`` passes ``maxRetries``. Call ``resetDelay()`` yourself once a connection
/// succeeds (typically from your protocol's `connectionMade`); ``stopTrying()`` ends it all.
open class ReconnectingClientFactory: ClientFactory {
    /// The first delay, and what ``resetDelay()`` returns to (1 s).
    public var initialDelay = 1.0
    /// How much each retry multiplies the delay by (e).
    public var factor = 2.718_281_828_459_045_1
    /// The largest delay (one hour).
    public var maxDelay = 3_600.0
    /// The spread of the delay, as a fraction of it (0.119626565582, as Twisted).
    public var jitter = 0.119_626_565_582
    /// How many retries before giving up; nil for no limit.
    public var maxRetries: Int?

    /// The delay the next retry waits.
    public private(set) var delay: Double
    /// Retries made since the last ``resetDelay()``.
    public private(set) var retries = 0
    /// False once ``stopTrying()`` was called.
    public private(set) var continueTrying = true

    private let clock: any ReactorTime
    private let normalDraw: (_ mean: Double, _ standardDeviation: Double) -> Double
    private var pendingRetry: DelayedCall?
    private var connector: (any Connector)?

    /// A factory that schedules its retries on `clock` (the reactor, or a `TestClock` in tests).
    ///
    /// - Parameter normalDraw: draws the jittered delay; the default uses the system generator.
    public init(
        clock: any ReactorTime,
        normalDraw: @escaping (_ mean: Double, _ standardDeviation: Double) -> Double = ReconnectingClientFactory.gaussian
    ) {
        self.clock = clock
        self.normalDraw = normalDraw
        self.delay = initialDelay
        super.init()
    }

    /// Remembers `connector` and schedules a retry with ``retry(_:)``, unless ``stopTrying()`` was
    /// called. A subclass that overrides it calls `super` to keep retrying.
    open override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        if continueTrying {
            self.connector = connector
            retry()
        }
    }

    /// Remembers `connector` and schedules a retry with ``retry(_:)``, unless ``stopTrying()`` was
    /// called: a lost connection is tried again as a failed attempt is. Call ``resetDelay()`` once a
    /// new connection is made, or the delay keeps growing from where it was. A subclass that
    /// overrides it calls `super` to keep retrying.
    open override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        if continueTrying {
            self.connector = connector
            retry()
        }
    }

    /// Schedules the next attempt on `connector` (or the last one seen), unless trying stopped or
    /// the retries ran out.
    public func retry(_ connector: (any Connector)? = nil) {
        guard continueTrying else { return }
        guard let connector = connector ?? self.connector else {
            logger.info("\(logPrefix): no connector to retry")
            return
        }
        retries += 1
        if let maxRetries, retries > maxRetries {
            logger.info("\(logPrefix): abandoning \(connector.destination) after \(maxRetries) retries")
            return
        }
        if jitter > 0 { delay = normalDraw(delay, delay * jitter) }
        logger.info("\(logPrefix) will retry in \(delay) seconds")
        pendingRetry = clock.callLater(max(0, delay)) { [weak self] in
            self?.pendingRetry = nil
            connector.connect()
        }
        delay = min(delay * factor, maxDelay)
    }

    /// Stops retrying: cancels a scheduled retry and stops an attempt in progress.
    public func stopTrying() {
        if let pendingRetry, pendingRetry.isActive { try? pendingRetry.cancel() }
        pendingRetry = nil
        continueTrying = false
        try? connector?.stopConnecting()
    }

    /// Back to the first delay and no retries (call it once a connection is made).
    public func resetDelay() {
        delay = initialDelay
        retries = 0
        pendingRetry = nil
        continueTrying = true
    }

    /// A normal draw by the Box–Muller transform.
    public static func gaussian(mean: Double, standardDeviation: Double) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1)
        let u2 = Double.random(in: 0..<1)
        return mean + standardDeviation * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
