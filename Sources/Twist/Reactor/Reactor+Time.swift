import TwistCore

extension Reactor {
    /// The reactor's notion of now: monotonic seconds from an arbitrary zero point.
    public nonisolated func seconds() -> Double {
        MonotonicClock.now()
    }

    /// Schedules `body` to run `delay` seconds from now on the reactor thread.
    ///
    /// Calls due at the same time run in the order they were scheduled (first-in, first-out; a
    /// deliberate difference from Twisted's reactor). A call scheduled from inside a running
    /// delayed call runs on a later loop pass, even with a zero delay. An error thrown by `body`
    /// is logged and the reactor carries on. Scheduling and cancelling cost O(log n) in the number
    /// of pending calls.
    ///
    /// - Precondition: `delay` is zero or positive.
    @discardableResult
    public nonisolated func callLater(_ delay: Double, _ body: @escaping () throws -> Void) -> DelayedCall {
        Self.validateDelay(delay)
        requireConfined()
        return core.timers.schedule(at: seconds() + delay, body)
    }

    /// The pending delayed calls, earliest first.
    public nonisolated var pendingCalls: [DelayedCall] {
        core.timers.pendingCalls
    }
}
