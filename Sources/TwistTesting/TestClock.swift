public import TwistCore

/// A clock whose time moves only when a test says so (Twisted's `task.Clock`).
///
/// It starts at 0.0. ``advance(_:)`` moves time forward and runs every call now due, in order of
/// due time, ties first-scheduled first — including calls that those calls schedule, if they are
/// due too (unlike the real reactor, which leaves those to its next pass). Hand it to code written
/// against ``ReactorTime`` in place of a reactor.
///
/// Named `TestClock`, not `Clock`, so it does not shadow the standard library's `Clock` protocol.
public final class TestClock: ReactorTime {
    private var now: Double = 0
    private lazy var timers = TimerQueue(now: { [unowned self] in now })

    /// Creates a clock at time 0.0 with nothing scheduled.
    public init() {}

    /// The clock's current time.
    public func seconds() -> Double { now }

    /// Schedules `body` to run when the clock has been advanced `delay` seconds past now.
    ///
    /// - Precondition: `delay` is zero or positive.
    @discardableResult
    public func callLater(_ delay: Double, _ body: @escaping () throws -> Void) -> DelayedCall {
        Self.validateDelay(delay)
        return timers.schedule(at: now + delay, body)
    }

    /// The pending calls, earliest first.
    public var pendingCalls: [DelayedCall] { timers.pendingCalls }

    /// Moves time forward by `amount` seconds and runs every call that is then due.
    ///
    /// - Precondition: `amount` is zero or positive.
    /// - Throws: the first error a call throws; the calls after it stay pending until the next advance.
    public func advance(_ amount: Double) throws {
        precondition(amount >= 0, "TestClock.advance needs a non-negative amount, got \(amount)")
        now += amount
        while let call = timers.popDue(notAfter: now) {
            try call.takeBodyForRunning()()
        }
    }

    /// Advances by each amount in turn (Twisted's `Clock.pump`).
    public func pump(_ amounts: [Double]) throws {
        for amount in amounts { try advance(amount) }
    }
}
