extension Deferred {
    /// Cancels this Deferred if it has not fired `seconds` from now on `clock`, and turns the
    /// resulting ``CancelledError`` into a ``TimeoutError`` (Twisted's `addTimeout`).
    ///
    /// The timeout covers the stages added *before* this call: they see the cancellation (an errback
    /// among them may handle it). If the chain reaches this point first, with a value or a failure,
    /// the timer is cancelled and nothing is cancelled later. A ``cancel()`` by hand keeps its plain
    /// `CancelledError`. A canceller's own outcome wins: a value it supplies becomes the result, and
    /// an error other than `CancelledError` passes through unconverted.
    ///
    /// - Parameters:
    ///   - seconds: how long to wait, on `clock`'s time scale.
    ///   - clock: the reactor, or a `TestClock` in tests.
    ///   - onTimeoutCancel: replaces the conversion when the timeout fired: it gets the result the
    ///     earlier stages produced and the timeout, and what it returns (or throws) becomes the result.
    /// - Returns: the same Deferred, so the timeout can sit in a chain.
    @discardableResult
    public func addTimeout(
        _ seconds: Double,
        clock: any ReactorTime,
        onTimeoutCancel: ((Result<Value, Failure>, Double) throws -> Value)? = nil
    ) -> Deferred<Value> {
        chain.requireCurrent(Value.self, "addTimeout")
        let timer = TimeoutTimer()
        let chain = self.chain
        timer.call = clock.callLater(seconds) {
            timer.fired = true
            chain.cancel()
        }
        return addBoth { result in
            if let call = timer.call, call.isActive { try? call.cancel() }
            timer.call = nil
            guard timer.fired else { return try result.get() }
            if let onTimeoutCancel { return try onTimeoutCancel(result, seconds) }
            if case .failure(let failure) = result, failure.matches(CancelledError.self) {
                throw TimeoutError(seconds: seconds)
            }
            return try result.get()
        }
    }
}

/// The state one ``Deferred/addTimeout(_:clock:onTimeoutCancel:)`` shares between its timer and its stage.
private final class TimeoutTimer {
    var call: DelayedCall?
    var fired = false
}
