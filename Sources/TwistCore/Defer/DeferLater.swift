/// Runs `body` `delay` seconds from now on `clock` and gives its result as a Deferred (Twisted's
/// `task.deferLater`): the value it returns, or the error it throws. Cancelling the Deferred before then removes the delayed call, so `body` never runs,
/// and fails the Deferred with ``CancelledError``.
public func deferLater<Value>(
    _ clock: any ReactorTime, _ delay: Double, _ body: @escaping () throws -> Value
) -> Deferred<Value> {
    let pending = PendingCall()
    let deferred = Deferred<Value>(canceller: { _ in
        if let call = pending.call, call.isActive { try? call.cancel() }
        pending.call = nil
    })
    pending.call = clock.callLater(delay) {
        pending.call = nil
        switch Result(catching: body) {
        case .success(let value): try deferred.callback(value)
        case .failure(let error): try deferred.errback(error)
        }
    }
    return deferred
}

/// Fires a `Deferred<Void>` `delay` seconds from now on `clock` (Twisted's `deferLater` without a
/// function). Cancelling it removes the delayed call.
public func deferLater(_ clock: any ReactorTime, _ delay: Double) -> Deferred<Void> {
    deferLater(clock, delay) { () }
}

/// The delayed call behind one ``deferLater(_:_:_:)``, shared with its canceller.
private final class PendingCall {
    var call: DelayedCall?
}
