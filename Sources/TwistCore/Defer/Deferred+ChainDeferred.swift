extension Deferred {
    /// Forwards this chain's result to `other` when it gets here: `other` is fired with the value
    /// or the failure, and this chain continues with `Void` (Twisted's `chainDeferred`; firing
    /// `other` first does not affect this chain, but then forwarding fails this chain with
    /// ``AlreadyCalledError``).
    ///
    /// Unlike returning a Deferred from a callback, this fires `other` by an ordinary nested call,
    /// so a long line of explicitly chained Deferreds grows the stack (as in Twisted). Prefer
    /// returning the Deferred from a callback.
    ///
    /// - Precondition: `other` is a handle of its chain's input type.
    @discardableResult
    public func chainDeferred(_ other: Deferred<Value>) -> Deferred<Void> {
        addBoth { result in
            switch result {
            case .success(let value): try other.callback(value)
            case .failure(let failure): try other.errback(failure)
            }
        }
    }
}
