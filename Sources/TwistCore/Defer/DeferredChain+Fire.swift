// Firing a chain: `callback` and `errback` (and the CancelledError of `cancel`) end here.
extension DeferredChain {
    /// Checks that the chain may be fired: throws ``AlreadyCalledError`` on a second fire, and
    /// returns false for the single late fire that `cancel()` without a canceller swallows.
    @usableFromInline
    func beginFire() throws -> Bool {
        if hasFired {
            if suppressAlreadyCalled {
                suppressAlreadyCalled = false
                return false
            }
            try throwAlreadyCalled()
        }
        hasFired = true
        canceller = nil
        return true
    }

    /// Fires the chain with a value (see ``beginFire()``).
    @inlinable
    func fire<T>(_ value: __owned T) throws {
        guard try beginFire() else { return }
        if _slowPath(debugInfo != nil) { recordFirstInvoker() }
        storeValue(value)
        resultHandedOff = false
        if hasPendingStages { runStages() }
    }

    /// Fires the chain with a failure (see ``beginFire()``).
    @usableFromInline
    func fire(failure: Failure) throws {
        guard try beginFire() else { return }
        if _slowPath(debugInfo != nil) { recordFirstInvoker() }
        storeFailure(failure)
        resultHandedOff = false
        if hasPendingStages { runStages() }
    }
}
