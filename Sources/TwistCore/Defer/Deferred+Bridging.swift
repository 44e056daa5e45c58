extension Deferred {
    /// A Deferred fired by a producer that also owns its cancellation (the async bridge's task):
    /// ``cancel()`` before it fires calls `onCancel` once and does *not* errback; the producer is
    /// expected to fire it, with a value or an error, when its work has stopped.
    package init(producerCancelledBy onCancel: @escaping () -> Void) {
        self.init(canceller: { _ in onCancel() })
        chain.cancellerFiresLater = true
    }

    /// Fires with `result` if the Deferred has not fired yet; does nothing otherwise.
    package func resolve(_ result: Result<Value, any Error>) {
        switch result {
        case .success(let value): try? chain.fire(value)
        case .failure(let error): try? chain.fire(failure: Failure(caught: error))
        }
    }
}
