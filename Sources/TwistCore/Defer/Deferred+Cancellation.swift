extension Deferred {
    /// Cancels the work this Deferred stands for (Twisted's `cancel`).
    ///
    /// - Before it fires: calls the canceller, if any, once; if the Deferred is still unfired
    ///   afterwards, errbacks it with ``CancelledError``. Without a canceller, the producer's one
    ///   later `callback`/`errback` is then silently swallowed (a second one throws).
    /// - While it waits on a Deferred returned by one of its stages: cancels that inner Deferred
    ///   instead, whose result (typically ``CancelledError``) then flows into this chain.
    /// - After it has fired and is not waiting: does nothing. Repeated calls do nothing more.
    ///
    /// May be called on any handle of the chain.
    public func cancel() {
        chain.cancel()
    }

    /// Stops the chain from running stages until a matching ``unpause()`` (calls nest).
    public func pause() {
        chain.pauseCount += 1
    }

    /// Undoes one ``pause()``; when none is left, runs whatever became due meanwhile.
    ///
    /// - Precondition: a matching `pause()` was made.
    public func unpause() {
        precondition(chain.pauseCount > 0, "Deferred.unpause() called without a matching pause()")
        chain.pauseCount -= 1
        if chain.isReady, chain.hasPendingStages { chain.runStages() }
    }
}
