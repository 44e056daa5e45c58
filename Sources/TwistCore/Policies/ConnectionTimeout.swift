/// Twisted's `TimeoutMixin` behaviour as an object a protocol owns: one timer per connection that
/// runs an action (by default, closing the connection) when it is not reset for a whole period.
///
/// ```swift
/// final class Greeter: LineReceiver {
///     lazy var idle = ConnectionTimeout(clock: reactor, owner: self)
///     override func connectionMade() { idle.setTimeout(30) }
///     override func lineReceived(_ line: ArraySlice<UInt8>) { idle.resetTimeout() }
/// }
/// ```
///
/// **What it promises** (spec §5, items 59–60):
/// - ``setTimeout(_:)`` returns the previous period. `nil` cancels a pending call (and is harmless
///   when none is pending). A number moves a pending call to now + period, or arms a new one.
/// - ``resetTimeout()`` restarts the full period; it does nothing when no call is pending (the
///   timer fired, or no period is set).
/// - When the period runs out, the pending call is forgotten and the action runs once; the period
///   stays set, so a later ``setTimeout(_:)`` re-arms.
/// - Time comes from `clock` (a reactor, or `TestClock` in tests).
///
/// **It never fires after the connection is lost** (a deliberate difference: Twisted's mixin
/// does not hook `connectionLost`, so its timer fires on a closed connection unless the protocol
/// cancels it). The timer holds its owner weakly and checks, when it comes due and at every
/// call, whether the owner's connection is gone (the owner was connected and has heard
/// `connectionLost`, or has been released); if so, the pending call is dropped and the action does
/// not run. The timer is released with its owner, cancelling any pending call then — and a
/// transport lets go of its protocol at `connectionLost`, so on a real connection the pending call
/// leaves the reactor when the connection does. ``TimeoutFactory``'s wrapper, which sees
/// `connectionLost` itself, cancels at that moment.
///
/// Before the owner is connected the timer runs as usual; the default action then does nothing
/// (there is no transport to close). Confined to the reactor thread, like its owner.
public final class ConnectionTimeout {
    /// Where the timer is: no period, a period with nothing pending, or a period with a call pending.
    enum State {
        /// No period is set (the initial state, and after `setTimeout(nil)`).
        case unset
        /// A period is set but no call is pending: it fired, or the owner's connection is gone.
        case idle(period: Double)
        /// A call is pending, due one period after it was last armed or reset.
        case armed(period: Double, call: DelayedCall)
    }

    private let clock: any ReactorTime
    private weak var owner: Protocol?
    private let action: () -> Void
    private var state = State.unset

    /// A timer for `owner`, scheduled on `clock`, that runs `onTimeout` with the owner when a period
    /// runs out. The default closes the owner's connection (`transport.loseConnection()`).
    ///
    /// `onTimeout` gets the owner as an argument so that it need not capture it: the timer holds
    /// the owner weakly and the owner holds the timer, so there is no reference cycle.
    public init<Owner: Protocol>(
        clock: any ReactorTime,
        owner: Owner,
        onTimeout: @escaping (Owner) -> Void = { $0.transport?.loseConnection() }
    ) {
        self.clock = clock
        self.owner = owner
        action = { [weak owner] in
            if let owner { onTimeout(owner) }
        }
    }

    deinit {
        if case .armed(_, let call) = state { try? call.cancel() }
    }

    /// The period in seconds, or nil when none is set (Twisted's `timeOut`).
    public var period: Double? {
        switch state {
        case .unset: nil
        case .idle(let period), .armed(let period, _): period
        }
    }

    /// True while a call is pending: the action will run if nothing resets or cancels it.
    public var isPending: Bool {
        if case .armed = state { return true }
        return false
    }

    /// Sets the period to `period` seconds, or cancels with nil, and returns the previous period.
    ///
    /// A pending call moves to now + `period` (or is cancelled, for nil); with none pending, a
    /// number arms a new one. Once the owner's connection is gone it only records the period:
    /// nothing is armed.
    ///
    /// - Precondition: `period` is nil or a non-negative number.
    @discardableResult
    public func setTimeout(_ period: Double?) -> Double? {
        let previous = self.period
        guard let period else {
            disarm()
            state = .unset
            return previous
        }
        precondition(period >= 0, "setTimeout needs a non-negative period in seconds, got \(period)")
        if ownerConnectionIsGone {
            disarm()
            state = .idle(period: period)
        } else if case .armed(_, let call) = state, (try? call.reset(to: period)) != nil {
            state = .armed(period: period, call: call)
        } else {
            state = .armed(period: period, call: arm(period))
        }
        return previous
    }

    /// Restarts the full period on the pending call; does nothing when none is pending. Once the
    /// owner's connection is gone it drops the pending call instead.
    public func resetTimeout() {
        guard case .armed(let period, let call) = state else { return }
        if ownerConnectionIsGone || (try? call.reset(to: period)) == nil {
            disarm()
            state = .idle(period: period)
        }
    }

    /// True when the owner was connected and has heard `connectionLost`, or has been released.
    private var ownerConnectionIsGone: Bool {
        guard let owner else { return true }
        return owner.transport != nil && !owner.isConnected
    }

    private func arm(_ period: Double) -> DelayedCall {
        clock.callLater(period) { [weak self] in self?.expire() }
    }

    private func disarm() {
        if case .armed(_, let call) = state { try? call.cancel() }
    }

    /// The pending call came due: forget it, then run the action unless the connection is gone.
    private func expire() {
        guard case .armed(let period, _) = state else { return }
        state = .idle(period: period)
        guard !ownerConnectionIsGone else { return }
        action()
    }
}
