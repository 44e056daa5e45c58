/// A call scheduled by ``ReactorTime/callLater(_:_:)``: a handle to cancel, reschedule or inspect it
/// (Twisted's `IDelayedCall`).
///
/// A delayed call is confined to the thread of the reactor or clock that made it. It is *active*
/// until it runs or is cancelled; after that, ``cancel()``, ``reset(to:)`` and ``delay(by:)`` throw
/// ``AlreadyCalled`` or ``AlreadyCancelled``. A call counts as run from the moment its body starts,
/// so a body that cancels its own call gets ``AlreadyCalled``.
///
/// Once a call has run or been cancelled it drops its body, so whatever the body captured is
/// released even while the handle lives on.
public final class DelayedCall {
    /// Where a delayed call is in its life.
    enum State {
        case pending
        case called
        case cancelled
    }

    /// When the call is due, in the seconds of the reactor or clock that scheduled it
    /// (Twisted's `getTime()`).
    @exclusivity(unchecked) public internal(set) var time: Double

    /// Orders calls with equal `time` by when they were (re)scheduled: first scheduled, first run.
    @exclusivity(unchecked) var sequence: UInt64

    /// The call's position in its queue's heap while pending; meaningless otherwise.
    @exclusivity(unchecked) var heapIndex: Int = -1

    @exclusivity(unchecked) var state: State = .pending
    var body: (() throws -> Void)?
    /// The queue holding the call while it is pending; nil once it left the queue. Not a weak
    /// reference (forming one costs more than the rest of scheduling): the queue clears it when
    /// the call leaves and, for calls still pending, when the queue itself goes away.
    unowned(unsafe) var queue: TimerQueue?

    init(time: Double, sequence: UInt64, queue: TimerQueue, body: @escaping () throws -> Void) {
        self.time = time
        self.sequence = sequence
        self.queue = queue
        self.body = body
    }

    /// True until the call has run (or started running) or been cancelled (Twisted's `active()`).
    public var isActive: Bool { state == .pending }

    /// True once the call has been cancelled.
    public var isCancelled: Bool { state == .cancelled }

    /// True once the call has run, or while it is running.
    public var hasRun: Bool { state == .called }

    /// Prevents the call from running.
    ///
    /// - Throws: ``AlreadyCalled`` if it has run or is running, ``AlreadyCancelled`` if it was cancelled.
    public func cancel() throws {
        try requirePending()
        state = .cancelled
        body = nil
        queue?.remove(self)
    }

    /// Reschedules the call to run `delay` seconds from now (earlier or later than before).
    ///
    /// - Precondition: `delay` is a non-negative number.
    /// - Throws: ``AlreadyCalled`` or ``AlreadyCancelled`` as ``cancel()`` does.
    public func reset(to delay: Double) throws {
        try requirePending()
        precondition(delay >= 0, "DelayedCall.reset(to:) needs a non-negative delay, got \(delay)")
        guard let queue else { return }
        queue.reschedule(self, at: queue.now() + delay)
    }

    /// Pushes the call's scheduled time back by `seconds` (a negative amount brings it forward).
    ///
    /// - Precondition: `seconds` is a finite number.
    /// - Throws: ``AlreadyCalled`` or ``AlreadyCancelled`` as ``cancel()`` does.
    public func delay(by seconds: Double) throws {
        try requirePending()
        precondition(seconds.isFinite, "DelayedCall.delay(by:) needs a finite number of seconds, got \(seconds)")
        queue?.reschedule(self, at: time + seconds)
    }

    /// Marks the call as run and returns its body, which the caller then invokes. The call is
    /// already out of its queue.
    package func takeBodyForRunning() -> () throws -> Void {
        state = .called
        defer { body = nil }
        return body ?? {}
    }

    private func requirePending() throws {
        switch state {
        case .pending: return
        case .called: throw AlreadyCalled()
        case .cancelled: throw AlreadyCancelled()
        }
    }
}

extension DelayedCall: CustomStringConvertible {
    /// "DelayedCall(due at <time>)" while pending, else "DelayedCall(called)" or
    /// "DelayedCall(cancelled)".
    public var description: String {
        switch state {
        case .pending: return "DelayedCall(due at \(time))"
        case .called: return "DelayedCall(called)"
        case .cancelled: return "DelayedCall(cancelled)"
        }
    }
}
