/// The time capability of a reactor (Twisted's `IReactorTime`): a notion of now, and calls
/// scheduled for later.
///
/// Code written against this protocol runs on the libev `Reactor` and on `TestClock` alike, so a
/// test can drive time by hand.
public protocol ReactorTime: AnyObject {
    /// The current time in seconds, as this reactor or clock counts it. Delayed calls are
    /// scheduled on this scale.
    func seconds() -> Double

    /// Schedules `body` to run once, `delay` seconds from now, on the reactor's thread.
    ///
    /// Calls run in order of due time; calls due at the same time run in the order they were
    /// scheduled. An error thrown by `body` is reported (the reactor logs it) and does not stop
    /// the reactor.
    ///
    /// - Precondition: `delay` is zero or positive (a negative delay or NaN is a programming error;
    ///   Twisted asserts too).
    /// - Returns: a handle to cancel or reschedule the call.
    @discardableResult
    func callLater(_ delay: Double, _ body: @escaping () throws -> Void) -> DelayedCall

    /// The calls that are scheduled and neither run nor cancelled, earliest first
    /// (Twisted's `getDelayedCalls()`).
    var pendingCalls: [DelayedCall] { get }
}

extension ReactorTime {
    /// Checks a delay given to ``callLater(_:_:)``; shared so that every implementation rejects
    /// the same inputs with the same message.
    @inline(__always)
    package static func validateDelay(_ delay: Double) {
        precondition(delay >= 0, "callLater needs a non-negative delay in seconds, got \(delay)")
    }
}
