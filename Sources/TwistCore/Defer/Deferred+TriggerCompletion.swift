/// A Deferred returned from a `before` system event trigger holds the event back until it has
/// fired, with a value or a failure (Twisted's `before` trigger returning a Deferred).
extension Deferred: TriggerCompletion {
    /// Calls `body` once the chain reaches this point. Adds a stage that passes the result on
    /// unchanged and does not handle a failure (an unhandled failure is still reported).
    public func whenComplete(_ body: @escaping () -> Void) {
        observe(handlesFailure: false, "whenComplete(_:)") { _ in body() }
    }
}
