extension Deferred {
    /// A ``TriggerCompletion`` that completes when the chain reaches this point, with a value or a
    /// failure: return it from a `before` system event trigger to hold the event back until this
    /// Deferred has fired (Twisted's `before` trigger returning a Deferred).
    ///
    /// It adds a stage that passes the result on unchanged and does not handle a failure (so an
    /// unhandled failure is still reported). Deferred is a value-type handle, so it cannot conform to
    /// the class-bound `TriggerCompletion` protocol itself; this adapter stands in for it.
    public func triggerCompletion() -> any TriggerCompletion {
        let completion = TriggerCompletionSource()
        observe(handlesFailure: false, "triggerCompletion()") { _ in completion.complete() }
        return completion
    }
}
