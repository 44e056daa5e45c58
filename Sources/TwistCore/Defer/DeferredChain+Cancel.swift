// Cancelling a chain (Twisted's `Deferred.cancel`).
extension DeferredChain {
    /// Cancels the chain: see ``Deferred/cancel()``.
    @usableFromInline
    func cancel() {
        if !hasFired {
            if let canceller {
                self.canceller = nil
                canceller(self)
                if cancellerFiresLater { return }
            } else {
                suppressAlreadyCalled = true
            }
            if !hasFired {
                try? fire(failure: Failure(caught: CancelledError()))
            }
        } else if let inner = waitingOn {
            inner.cancel()
        }
    }
}
