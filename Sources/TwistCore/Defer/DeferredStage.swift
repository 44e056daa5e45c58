/// The kinds of stage a ``DeferredChain`` runs: a callback/errback pair, a body for both outcomes,
/// an observer, or the marker that resumes a chain waiting on this one.
///
/// Each kind is a namespace with three members: `Payload`, the stage's closures as a struct (each
/// closure stored as declared, so no reabstraction thunk is needed); `queued`, which gives that
/// payload and the ``StageRunner`` that runs it for the chain's queue (formed here so that,
/// specialized in the caller, the runner captures nothing and costs no allocation); and `apply`,
/// the stage's logic, which the fast path (adding to a fired, idle chain) also runs directly. A
/// stage works on the chain's storage: it takes its input (a value of its input type, or a
/// failure) out of the chain and stores its output back, with the types it was created with, so
/// nothing is boxed or cast on the way.

/// What running one queued stage asks of ``DeferredChain/runStages()``.
@usableFromInline
enum StageOutcome {
    /// Go on with the next stage.
    case proceed
    /// Stop: the chain now waits on a Deferred the stage returned.
    case wait
    /// The stage was the resume marker: the result was handed to this chain, which waited on the
    /// one that ran the marker; run it next.
    case resume(DeferredChain)
}

/// The marker a chain queues on a chain it waits on: when reached, the waiting chain takes over
/// the result, a `T` (the type the returned Deferred had when it was returned, which is checked).
@usableFromInline
enum ResumeStage<T> {
    @usableFromInline
    struct Payload {
        @usableFromInline let target: DeferredChain

        @inlinable
        init(_ target: DeferredChain) {
            self.target = target
        }
    }

    @inlinable @inline(__always)
    static func queued(resuming target: DeferredChain) -> (Payload, StageRunner) {
        (Payload(target), { source, payload, run in
            let target = payload.assumingMemoryBound(to: ResumeStage<T>.Payload.self).move().target
            guard run else { return .proceed }
            source._withUnsafeGuaranteedRef { ResumeStage<T>.handOver(from: $0, to: target) }
            return .resume(target)
        })
    }

    /// Gives `target` a copy of `source`'s result.
    @inlinable
    static func handOver(from source: DeferredChain, to target: DeferredChain) {
        target.waitingOn = nil
        target.copyResult(of: source, T.self)
        target.resultHandedOff = false
        source.resultHandedOff = true
    }
}

extension DeferredChain {
    /// Stores what a stage body returned or threw.
    @inlinable @inline(__always)
    func store<Out>(_ body: () throws -> Out) {
        do {
            storeValue(try body())
        } catch {
            storeFailure(Failure(caught: error))
        }
    }

    /// Continues with the Deferred a stage body returned, or stores what it threw. Returns false
    /// when the chain must wait.
    @inlinable @inline(__always)
    func store<Out>(_ body: () throws -> Deferred<Out>) -> Bool {
        let inner: Deferred<Out>
        do {
            inner = try body()
        } catch {
            storeFailure(Failure(caught: error))
            resultHandedOff = false
            return true
        }
        inner.chain.requireCurrent(Out.self, "returned from a callback")
        return adopt(inner.chain, Out.self)
    }
}

/// A callback returning a plain value (`addCallback`): it runs on a value; a failure passes it by.
@usableFromInline
enum CallbackStage<In, Out> {
    /// The stage's closure as kept in the chain's queue.
    @usableFromInline
    struct Payload {
        @usableFromInline let onSuccess: (In) throws -> Out

        @inlinable
        init(_ onSuccess: @escaping (In) throws -> Out) {
            self.onSuccess = onSuccess
        }
    }

    /// The stage to queue: its closure, and the ``StageRunner`` that runs it.
    @inlinable @inline(__always)
    static func queued(_ onSuccess: @escaping (In) throws -> Out) -> (Payload, StageRunner) {
        (Payload(onSuccess), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: CallbackStage<In, Out>.Payload.self).move()
            guard run else { return .proceed }
            chain._withUnsafeGuaranteedRef { CallbackStage<In, Out>.apply($0, stored.onSuccess) }
            return .proceed
        })
    }

    /// Runs the callback on the chain's current value, if it has one, and stores what it produces.
    @inlinable @inline(__always)
    static func apply(_ chain: DeferredChain, _ onSuccess: (In) throws -> Out) {
        if chain.state == .success {
            let input = chain.takeValue(In.self)
            chain.store { try onSuccess(input) }
        }
        chain.resultHandedOff = false
    }
}

/// An errback returning a plain value (`addErrback`): it runs on a failure; a value passes it by.
@usableFromInline
enum ErrbackStage<Value> {
    /// The stage's closure as kept in the chain's queue.
    @usableFromInline
    struct Payload {
        @usableFromInline let onFailure: (Failure) throws -> Value

        @inlinable
        init(_ onFailure: @escaping (Failure) throws -> Value) {
            self.onFailure = onFailure
        }
    }

    /// The stage to queue: its closure, and the ``StageRunner`` that runs it.
    @inlinable @inline(__always)
    static func queued(_ onFailure: @escaping (Failure) throws -> Value) -> (Payload, StageRunner) {
        (Payload(onFailure), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: ErrbackStage<Value>.Payload.self).move()
            guard run else { return .proceed }
            chain._withUnsafeGuaranteedRef { ErrbackStage<Value>.apply($0, stored.onFailure) }
            return .proceed
        })
    }

    /// Runs the errback on the chain's current failure, if it has one, and stores what it produces.
    @inlinable @inline(__always)
    static func apply(_ chain: DeferredChain, _ onFailure: (Failure) throws -> Value) {
        if chain.state == .failure {
            let failure = chain.takeFailure()
            chain.store { try onFailure(failure) }
        }
        chain.resultHandedOff = false
    }
}

/// A callback/errback pair returning plain values (`addCallbacks`): exactly one of them runs.
@usableFromInline
enum ValueStage<In, Out> {
    /// The stage's closures as kept in the chain's queue.
    @usableFromInline
    struct Payload {
        @usableFromInline let onSuccess: (In) throws -> Out
        @usableFromInline let onFailure: (Failure) throws -> Out

        @inlinable
        init(_ onSuccess: @escaping (In) throws -> Out, _ onFailure: @escaping (Failure) throws -> Out) {
            self.onSuccess = onSuccess
            self.onFailure = onFailure
        }
    }

    /// The stage to queue: its closures, and the ``StageRunner`` that runs them.
    @inlinable @inline(__always)
    static func queued(
        _ onSuccess: @escaping (In) throws -> Out, _ onFailure: @escaping (Failure) throws -> Out
    ) -> (Payload, StageRunner) {
        (Payload(onSuccess, onFailure), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: ValueStage<In, Out>.Payload.self).move()
            guard run else { return .proceed }
            chain._withUnsafeGuaranteedRef { ValueStage<In, Out>.apply($0, stored.onSuccess, stored.onFailure) }
            return .proceed
        })
    }

    /// Runs the callback on a value or the errback on a failure, and stores what it produces.
    @inlinable @inline(__always)
    static func apply(
        _ chain: DeferredChain, _ onSuccess: (In) throws -> Out, _ onFailure: (Failure) throws -> Out
    ) {
        if chain.state == .success {
            let input = chain.takeValue(In.self)
            chain.store { try onSuccess(input) }
        } else {
            let failure = chain.takeFailure()
            chain.store { try onFailure(failure) }
        }
        chain.resultHandedOff = false
    }
}

/// A callback/errback pair whose members return Deferreds the chain then waits on.
@usableFromInline
enum DeferredValueStage<In, Out> {
    /// The stage's closures as kept in the chain's queue.
    @usableFromInline
    struct Payload {
        @usableFromInline let onSuccess: ((In) throws -> Deferred<Out>)?
        @usableFromInline let onFailure: ((Failure) throws -> Deferred<Out>)?

        @inlinable
        init(_ onSuccess: ((In) throws -> Deferred<Out>)?, _ onFailure: ((Failure) throws -> Deferred<Out>)?) {
            self.onSuccess = onSuccess
            self.onFailure = onFailure
        }
    }

    /// The stage to queue: its closures, and the ``StageRunner`` that runs them.
    @inlinable @inline(__always)
    static func queued(
        _ onSuccess: ((In) throws -> Deferred<Out>)?, _ onFailure: ((Failure) throws -> Deferred<Out>)?
    ) -> (Payload, StageRunner) {
        (Payload(onSuccess, onFailure), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: DeferredValueStage<In, Out>.Payload.self).move()
            guard run else { return .proceed }
            return chain._withUnsafeGuaranteedRef { DeferredValueStage<In, Out>.apply($0, stored.onSuccess, stored.onFailure) } ? .proceed : .wait
        })
    }

    /// Runs the stage on the chain's current result and stores what it produces. Returns false
    /// when the chain must now wait on a Deferred the stage returned.
    @inlinable @inline(__always)
    static func apply(
        _ chain: DeferredChain,
        _ onSuccess: ((In) throws -> Deferred<Out>)?,
        _ onFailure: ((Failure) throws -> Deferred<Out>)?
    ) -> Bool {
        if chain.state == .success {
            if let onSuccess {
                let input = chain.takeValue(In.self)
                return chain.store { try onSuccess(input) }
            }
        } else if let onFailure {
            let failure = chain.takeFailure()
            return chain.store { try onFailure(failure) }
        }
        chain.resultHandedOff = false
        return true
    }
}

/// One body for both kinds of result (`addBoth`), given a `Result`.
@usableFromInline
enum BothStage<In, Out> {
    /// The stage's closures as kept in the chain's queue.
    @usableFromInline
    struct Payload {
        @usableFromInline let body: (Result<In, Failure>) throws -> Out

        @inlinable
        init(_ body: @escaping (Result<In, Failure>) throws -> Out) {
            self.body = body
        }
    }

    /// The stage to queue: its closures, and the ``StageRunner`` that runs them.
    @inlinable @inline(__always)
    static func queued(_ body: @escaping (Result<In, Failure>) throws -> Out) -> (Payload, StageRunner) {
        (Payload(body), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: BothStage<In, Out>.Payload.self).move()
            guard run else { return .proceed }
            chain._withUnsafeGuaranteedRef { BothStage<In, Out>.apply($0, stored.body) }
            return .proceed
        })
    }

    /// Runs the body on the chain's current result and stores what it returns or throws.
    @inlinable @inline(__always)
    static func apply(_ chain: DeferredChain, _ body: (Result<In, Failure>) throws -> Out) {
        let input: Result<In, Failure> =
            chain.state == .success ? .success(chain.takeValue(In.self)) : .failure(chain.takeFailure())
        chain.store { try body(input) }
        chain.resultHandedOff = false
    }
}

/// One body for both kinds of result that returns a Deferred (`addBoth` returning a Deferred).
@usableFromInline
enum DeferredBothStage<In, Out> {
    /// The stage's closures as kept in the chain's queue.
    @usableFromInline
    struct Payload {
        @usableFromInline let body: (Result<In, Failure>) throws -> Deferred<Out>

        @inlinable
        init(_ body: @escaping (Result<In, Failure>) throws -> Deferred<Out>) {
            self.body = body
        }
    }

    /// The stage to queue: its closures, and the ``StageRunner`` that runs them.
    @inlinable @inline(__always)
    static func queued(_ body: @escaping (Result<In, Failure>) throws -> Deferred<Out>) -> (Payload, StageRunner) {
        (Payload(body), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: DeferredBothStage<In, Out>.Payload.self).move()
            guard run else { return .proceed }
            return chain._withUnsafeGuaranteedRef { DeferredBothStage<In, Out>.apply($0, stored.body) } ? .proceed : .wait
        })
    }

    /// Runs the stage on the chain's current result and stores what it produces. Returns false
    /// when the chain must now wait on a Deferred the stage returned.
    @inlinable @inline(__always)
    static func apply(_ chain: DeferredChain, _ body: (Result<In, Failure>) throws -> Deferred<Out>) -> Bool {
        let input: Result<In, Failure> =
            chain.state == .success ? .success(chain.takeValue(In.self)) : .failure(chain.takeFailure())
        return chain.store { try body(input) }
    }
}

/// Watches the result without changing it. With `handles` set it also marks a failure as taken
/// care of (the awaiting task or a consuming list has it), so it is not reported as unhandled.
@usableFromInline
enum ObserverStage<In> {
    /// The stage's closures as kept in the chain's queue.
    @usableFromInline
    struct Payload {
        @usableFromInline let handles: Bool
        @usableFromInline let body: (Result<In, Failure>) -> Void

        @inlinable
        init(_ handles: Bool, _ body: @escaping (Result<In, Failure>) -> Void) {
            self.handles = handles
            self.body = body
        }
    }

    /// The stage to queue: its closures, and the ``StageRunner`` that runs them.
    @inlinable @inline(__always)
    static func queued(handles: Bool, _ body: @escaping (Result<In, Failure>) -> Void) -> (Payload, StageRunner) {
        (Payload(handles, body), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: ObserverStage<In>.Payload.self).move()
            guard run else { return .proceed }
            chain._withUnsafeGuaranteedRef { ObserverStage<In>.apply($0, handles: stored.handles, stored.body) }
            return .proceed
        })
    }

    /// Shows the body a copy of the chain's current result, which stays in the chain, and marks a
    /// failure as handed off when `handles` is set.
    @inlinable @inline(__always)
    static func apply(_ chain: DeferredChain, handles: Bool, _ body: (Result<In, Failure>) -> Void) {
        if chain.state == .success {
            body(.success(chain.peekValue(In.self)))
        } else {
            body(.failure(chain.failure.unsafelyUnwrapped))
        }
        chain.resultHandedOff = handles
    }
}
