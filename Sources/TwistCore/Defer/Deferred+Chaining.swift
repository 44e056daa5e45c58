extension Deferred {
    /// Runs a stage at once when the chain has a result and nothing is queued; otherwise queues
    /// it (`queued` gives its closures and runner).
    @inlinable @inline(__always)
    func addStage<New, Payload>(
        _ operation: StaticString,
        _ runNow: (DeferredChain) -> Bool,
        queued: () -> (Payload, StageRunner)
    ) -> Deferred<New> {
        chain.requireCurrent(Value.self, operation)
        // Debug-only: a conformance lookup per stage is too dear for the hot path.
        assert(
            !(New.self is any DeferredProtocol.Type),
            "a stage's result type is a Deferred; declare the closure as returning Deferred<T> so the chain waits on it"
        )
        chain.currentType = New.self
        if chain.canRunInline {
            chain.runInline(runNow)
        } else {
            let (payload, runner) = queued()
            chain.appendStage(payload, runner)
            if chain.isReady { chain.runStages() }
        }
        return Deferred<New>(chain: chain)
    }

    /// `addCallback(_:)` for a callback that returns nothing — a side effect, or
    /// the last stage of a chain, written as a closure of several statements with no `return`.
    /// Without this form Swift would pick the Deferred-returning overload for such a closure and
    /// report "missing return in closure expected to return 'Deferred<Void>'" (issue 21): the
    /// compiler checks a closure's missing `return` only after choosing the overload. A closure
    /// that returns a value, or a Deferred, still picks the generic forms.
    @inlinable @inline(__always)
    public func addCallback(_ callback: @escaping (Value) throws -> Void) -> Deferred<Void> {
        addStage("addCallback", {
            CallbackStage<Value, Void>.apply($0, callback)
            return true
        }) {
            CallbackStage<Value, Void>.queued(callback)
        }
    }

    /// Adds a callback: it gets the current value when the chain succeeds, and what it returns (or
    /// throws) becomes the next result. A failure passes it by. Runs at once if the Deferred has
    /// fired and is not paused or waiting (Twisted's `addCallback`).
    ///
    /// - Returns: the same Deferred, typed by the callback's result.
    @inlinable @inline(__always)
    public func addCallback<New>(_ callback: @escaping (Value) throws -> New) -> Deferred<New> {
        addStage("addCallback", {
            CallbackStage<Value, New>.apply($0, callback)
            return true
        }) {
            CallbackStage<Value, New>.queued(callback)
        }
    }

    /// Adds a callback that returns a Deferred: the chain waits until that Deferred has a result
    /// and continues with it (success or failure), without growing the stack.
    ///
    /// - Returns: the same Deferred, typed by the returned Deferred's value.
    @inlinable @inline(__always)
    public func addCallback<New>(_ callback: @escaping (Value) throws -> Deferred<New>) -> Deferred<New> {
        addStage("addCallback", { DeferredValueStage<Value, New>.apply($0, callback, nil) }) {
            DeferredValueStage<Value, New>.queued(callback, nil)
        }
    }

    /// Adds an errback: it gets the ``Failure`` when the chain has failed. Returning a value switches
    /// the chain back to success; throwing (for example the failure itself, or via
    /// ``Failure/trap(_:)``) keeps it on the error path. A value passes it by (Twisted's `addErrback`).
    ///
    /// - Returns: the same Deferred (its result type does not change).
    @inlinable @inline(__always) @discardableResult
    public func addErrback(_ errback: @escaping (Failure) throws -> Value) -> Deferred<Value> {
        addStage("addErrback", {
            ErrbackStage<Value>.apply($0, errback)
            return true
        }) {
            ErrbackStage<Value>.queued(errback)
        }
    }

    /// Adds an errback that returns a Deferred; the chain continues with that Deferred's result.
    ///
    /// Disfavoured, so that an errback that only throws (`{ failure in throw failure }`) picks the
    /// plain overload; a closure returning a Deferred still selects this one.
    @inlinable @inline(__always) @discardableResult
    @_disfavoredOverload
    public func addErrback(_ errback: @escaping (Failure) throws -> Deferred<Value>) -> Deferred<Value> {
        addStage("addErrback", { DeferredValueStage<Value, Value>.apply($0, nil, errback) }) {
            DeferredValueStage<Value, Value>.queued(nil, errback)
        }
    }

    /// Adds a callback/errback pair as one stage: exactly one of them runs, chosen by whether the
    /// chain has succeeded or failed. An error thrown by `callback` goes to the *next* stage's
    /// errback, never to `errback` of this pair (Twisted's `addCallbacks`).
    @inlinable @inline(__always)
    public func addCallbacks<New>(
        _ callback: @escaping (Value) throws -> New,
        _ errback: @escaping (Failure) throws -> New
    ) -> Deferred<New> {
        addStage("addCallbacks", {
            ValueStage<Value, New>.apply($0, callback, errback)
            return true
        }) {
            ValueStage<Value, New>.queued(callback, errback)
        }
    }

    /// Adds a callback/errback pair whose members return Deferreds the chain then waits on.
    @inlinable @inline(__always)
    public func addCallbacks<New>(
        _ callback: @escaping (Value) throws -> Deferred<New>,
        _ errback: @escaping (Failure) throws -> Deferred<New>
    ) -> Deferred<New> {
        addStage("addCallbacks", { DeferredValueStage<Value, New>.apply($0, callback, errback) }) {
            DeferredValueStage<Value, New>.queued(callback, errback)
        }
    }

    /// `addBoth(_:)` for a body that returns nothing: see the `Void` form of `addCallback(_:)` for
    /// why this form exists.
    @inlinable @inline(__always)
    public func addBoth(_ body: @escaping (Result<Value, Failure>) throws -> Void) -> Deferred<Void> {
        addStage("addBoth", {
            BothStage<Value, Void>.apply($0, body)
            return true
        }) {
            BothStage<Value, Void>.queued(body)
        }
    }

    /// Adds one body for both outcomes, given as a `Result` (Twisted's `addBoth`, the `finally`
    /// of a chain). What it returns becomes the next value; what it throws, the next failure.
    @inlinable @inline(__always)
    public func addBoth<New>(_ body: @escaping (Result<Value, Failure>) throws -> New) -> Deferred<New> {
        addStage("addBoth", {
            BothStage<Value, New>.apply($0, body)
            return true
        }) {
            BothStage<Value, New>.queued(body)
        }
    }

    /// Adds one body for both outcomes that returns a Deferred the chain then waits on.
    @inlinable @inline(__always)
    public func addBoth<New>(
        _ body: @escaping (Result<Value, Failure>) throws -> Deferred<New>
    ) -> Deferred<New> {
        addStage("addBoth", { DeferredBothStage<Value, New>.apply($0, body) }) {
            DeferredBothStage<Value, New>.queued(body)
        }
    }

    /// Adds a stage that watches the result and passes it on unchanged. With `handlesFailure`, a
    /// failure passed on counts as handled (it is not reported as unhandled when the chain ends).
    @inlinable @discardableResult
    func observe(
        handlesFailure: Bool, _ operation: StaticString, _ body: @escaping (Result<Value, Failure>) -> Void
    ) -> Deferred<Value> {
        addStage(operation, {
            ObserverStage<Value>.apply($0, handles: handlesFailure, body)
            return true
        }) {
            ObserverStage<Value>.queued(handles: handlesFailure, body)
        }
    }
}
