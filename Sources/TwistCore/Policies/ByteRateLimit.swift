/// One direction's byte-rate limit for ``ThrottlingFactory`` (Twisted's
/// `checkReadBandwidth`/`checkWriteBandwidth` and their timers): counts the bytes of each second
/// and, when a second's count is over the limit, throttles for `count / limit − 1` seconds — as
/// long as the excess would take to drain at the limit.
///
/// It runs only while connections exist: ``start()`` with the first, ``stop()`` after the last.
/// While running, a check comes due every second; the first check runs at ``start()`` itself.
final class ByteRateLimit {
    /// Where the limit is.
    enum State {
        /// No connections: no timers.
        case stopped
        /// Counting; the next check is pending.
        case metering(check: DelayedCall)
        /// Over the limit: throttled until `lift` runs; the next check is pending too.
        case throttled(check: DelayedCall, lift: DelayedCall)
    }

    /// Bytes per second allowed.
    let limit: Int
    private let clock: any ReactorTime
    private let onThrottle: () -> Void
    private let onUnthrottle: () -> Void
    private(set) var state = State.stopped
    /// Bytes counted since the last check.
    private(set) var bytesThisSecond = 0

    /// A limit of `limit` bytes per second, timed on `clock`, that calls `throttle` when a second
    /// goes over it and `unthrottle` when the pause is over.
    init(limit: Int, clock: any ReactorTime, throttle: @escaping () -> Void, unthrottle: @escaping () -> Void) {
        precondition(limit > 0, "a byte-rate limit must be positive, got \(limit)")
        self.limit = limit
        self.clock = clock
        onThrottle = throttle
        onUnthrottle = unthrottle
    }

    deinit { stop() }

    /// True while the limit holds transfers paused.
    var isThrottled: Bool {
        if case .throttled = state { return true }
        return false
    }

    /// Counts `count` bytes moved this second.
    func count(_ count: Int) {
        bytesThisSecond += count
    }

    /// Starts checking (the first connection came); does nothing when running.
    func start() {
        guard case .stopped = state else { return }
        bytesThisSecond = 0
        check()
    }

    /// Stops checking and forgets the count (the last connection went). Nothing is unthrottled:
    /// there is no connection left to resume.
    func stop() {
        switch state {
        case .stopped: break
        case .metering(let check): try? check.cancel()
        case .throttled(let check, let lift):
            try? check.cancel()
            try? lift.cancel()
        }
        state = .stopped
        bytesThisSecond = 0
    }

    /// A second is over: throttle if it went over the limit, start counting the next one.
    private func check() {
        let counted = bytesThisSecond
        bytesThisSecond = 0
        let next = clock.callLater(1) { [weak self] in self?.check() }
        let pause = Double(counted) / Double(limit) - 1
        switch state {
        case .stopped, .metering:
            guard counted > limit else {
                state = .metering(check: next)
                return
            }
            state = .throttled(check: next, lift: clock.callLater(pause) { [weak self] in self?.lift() })
            onThrottle()
        case .throttled(_, let lift):
            // Over again while paused (bytes already in flight): pause longer, never shorter.
            let remaining = lift.time - clock.seconds()
            if counted > limit, pause > remaining { try? lift.reset(to: pause) }
            state = .throttled(check: next, lift: lift)
        }
    }

    /// The pause is over.
    private func lift() {
        guard case .throttled(let check, _) = state else { return }
        state = .metering(check: check)
        onUnthrottle()
    }
}
