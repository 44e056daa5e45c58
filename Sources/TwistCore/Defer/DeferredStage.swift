/// One stage of a ``DeferredChain``: a callback/errback pair, or the marker that resumes a chain
/// waiting on this one.
///
/// Stages queued beyond the chain's inline slots are nodes of a singly linked list. Each typed
/// subclass holds the user's closures directly, so such a stage costs one allocation; its
/// `slot` function gives the same closures as a `Payload` and a ``SlotRunner`` for an inline slot
/// (see ``DeferredChain``), which costs none. A stage works on the chain's storage directly: it
/// takes its input (a value of its input type, or a failure) out of the chain and stores its output
/// back, with the types it was created with, so nothing is boxed or cast on the way. The `apply`
/// functions are static so that the fast path (adding to a fired, idle chain) runs the same logic,
/// specialized in the caller, without allocating a node.
@usableFromInline
class DeferredStage {
    /// The next stage to run.
    @exclusivity(unchecked) @usableFromInline final var next: DeferredStage?

    /// For the resume marker: the chain waiting on this one, which takes over its result.
    @usableFromInline final let resumeTarget: DeferredChain?

    /// A marker that hands the result to `target`, a chain that returned this one from a stage.
    @usableFromInline
    init(resuming target: DeferredChain) {
        resumeTarget = target
    }

    @usableFromInline
    init() {
        resumeTarget = nil
    }

    /// Runs the stage's callback or errback on the chain's current result and stores what it
    /// produces. Returns false when the chain must now wait on a Deferred the stage returned.
    /// Called only when the chain holds a result.
    @usableFromInline
    func run(in chain: DeferredChain) -> Bool {
        true
    }

    /// For the resume marker: gives `target` a copy of `source`'s result.
    @usableFromInline
    func handOver(from source: DeferredChain, to target: DeferredChain) {}
}

/// The marker a chain appends to a chain it waits on: when reached, the waiting chain takes over
/// the result, a `T` (the type the returned Deferred had when it was returned, which is checked).
@usableFromInline
final class ResumeStage<T>: DeferredStage {
    @inlinable
    override init(resuming target: DeferredChain) {
        super.init(resuming: target)
    }

    @usableFromInline
    override func handOver(from source: DeferredChain, to target: DeferredChain) {
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

/// A callback/errback pair returning plain values (`addCallback`, `addErrback`, `addCallbacks`).
/// A nil member passes its kind of result through unchanged (it is nil only when `In` is `Out`).
@usableFromInline
final class ValueStage<In, Out>: DeferredStage {
    @usableFromInline let onSuccess: ((In) throws -> Out)?
    @usableFromInline let onFailure: ((Failure) throws -> Out)?

    @inlinable
    init(_ onSuccess: ((In) throws -> Out)?, _ onFailure: ((Failure) throws -> Out)?) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        super.init()
    }

    /// The stage's closures as kept in an inline slot of the chain (a struct, so each closure is
    /// stored as declared here, as in the node, with no reabstraction thunk).
    @usableFromInline
    struct Payload {
        @usableFromInline let onSuccess: ((In) throws -> Out)?
        @usableFromInline let onFailure: ((Failure) throws -> Out)?

        @inlinable
        init(_ onSuccess: ((In) throws -> Out)?, _ onFailure: ((Failure) throws -> Out)?) {
            self.onSuccess = onSuccess
            self.onFailure = onFailure
        }
    }

    /// The stage to keep in an inline slot: its closures, and the ``SlotRunner`` that runs them
    /// (formed here so that, specialized in the caller, it captures nothing).
    @inlinable @inline(__always)
    static func slot(
        _ onSuccess: ((In) throws -> Out)?, _ onFailure: ((Failure) throws -> Out)?
    ) -> (Payload, SlotRunner) {
        (Payload(onSuccess, onFailure), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: ValueStage<In, Out>.Payload.self).move()
            return run ? ValueStage<In, Out>.apply(chain, stored.onSuccess, stored.onFailure) : true
        })
    }

    @inlinable
    override func run(in chain: DeferredChain) -> Bool {
        Self.apply(chain, onSuccess, onFailure)
    }

    @inlinable @inline(__always)
    static func apply(
        _ chain: DeferredChain, _ onSuccess: ((In) throws -> Out)?, _ onFailure: ((Failure) throws -> Out)?
    ) -> Bool {
        if chain.state == .success {
            if let onSuccess {
                let input = chain.takeValue(In.self)
                chain.store { try onSuccess(input) }
            }
        } else if let onFailure {
            let failure = chain.takeFailure()
            chain.store { try onFailure(failure) }
        }
        chain.resultHandedOff = false
        return true
    }
}

/// A callback/errback pair whose members return Deferreds the chain then waits on.
@usableFromInline
final class DeferredValueStage<In, Out>: DeferredStage {
    @usableFromInline let onSuccess: ((In) throws -> Deferred<Out>)?
    @usableFromInline let onFailure: ((Failure) throws -> Deferred<Out>)?

    @inlinable
    init(_ onSuccess: ((In) throws -> Deferred<Out>)?, _ onFailure: ((Failure) throws -> Deferred<Out>)?) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        super.init()
    }

    /// The stage's closures as kept in an inline slot of the chain (a struct, so each closure is
    /// stored as declared here, as in the node, with no reabstraction thunk).
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

    /// The stage to keep in an inline slot: its closures, and the ``SlotRunner`` that runs them
    /// (formed here so that, specialized in the caller, it captures nothing).
    @inlinable @inline(__always)
    static func slot(
        _ onSuccess: ((In) throws -> Deferred<Out>)?, _ onFailure: ((Failure) throws -> Deferred<Out>)?
    ) -> (Payload, SlotRunner) {
        (Payload(onSuccess, onFailure), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: DeferredValueStage<In, Out>.Payload.self).move()
            return run ? DeferredValueStage<In, Out>.apply(chain, stored.onSuccess, stored.onFailure) : true
        })
    }

    @inlinable
    override func run(in chain: DeferredChain) -> Bool {
        Self.apply(chain, onSuccess, onFailure)
    }

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
final class BothStage<In, Out>: DeferredStage {
    @usableFromInline let body: (Result<In, Failure>) throws -> Out

    @inlinable
    init(_ body: @escaping (Result<In, Failure>) throws -> Out) {
        self.body = body
        super.init()
    }

    /// The stage's closures as kept in an inline slot of the chain (a struct, so each closure is
    /// stored as declared here, as in the node, with no reabstraction thunk).
    @usableFromInline
    struct Payload {
        @usableFromInline let body: (Result<In, Failure>) throws -> Out

        @inlinable
        init(_ body: @escaping (Result<In, Failure>) throws -> Out) {
            self.body = body
        }
    }

    /// The stage to keep in an inline slot: its closures, and the ``SlotRunner`` that runs them
    /// (formed here so that, specialized in the caller, it captures nothing).
    @inlinable @inline(__always)
    static func slot(_ body: @escaping (Result<In, Failure>) throws -> Out) -> (Payload, SlotRunner) {
        (Payload(body), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: BothStage<In, Out>.Payload.self).move()
            return run ? BothStage<In, Out>.apply(chain, stored.body) : true
        })
    }

    @inlinable
    override func run(in chain: DeferredChain) -> Bool {
        Self.apply(chain, body)
    }

    @inlinable @inline(__always)
    static func apply(_ chain: DeferredChain, _ body: (Result<In, Failure>) throws -> Out) -> Bool {
        let input: Result<In, Failure> =
            chain.state == .success ? .success(chain.takeValue(In.self)) : .failure(chain.takeFailure())
        chain.store { try body(input) }
        chain.resultHandedOff = false
        return true
    }
}

/// One body for both kinds of result that returns a Deferred (`addBoth` returning a Deferred).
@usableFromInline
final class DeferredBothStage<In, Out>: DeferredStage {
    @usableFromInline let body: (Result<In, Failure>) throws -> Deferred<Out>

    @inlinable
    init(_ body: @escaping (Result<In, Failure>) throws -> Deferred<Out>) {
        self.body = body
        super.init()
    }

    /// The stage's closures as kept in an inline slot of the chain (a struct, so each closure is
    /// stored as declared here, as in the node, with no reabstraction thunk).
    @usableFromInline
    struct Payload {
        @usableFromInline let body: (Result<In, Failure>) throws -> Deferred<Out>

        @inlinable
        init(_ body: @escaping (Result<In, Failure>) throws -> Deferred<Out>) {
            self.body = body
        }
    }

    /// The stage to keep in an inline slot: its closures, and the ``SlotRunner`` that runs them
    /// (formed here so that, specialized in the caller, it captures nothing).
    @inlinable @inline(__always)
    static func slot(_ body: @escaping (Result<In, Failure>) throws -> Deferred<Out>) -> (Payload, SlotRunner) {
        (Payload(body), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: DeferredBothStage<In, Out>.Payload.self).move()
            return run ? DeferredBothStage<In, Out>.apply(chain, stored.body) : true
        })
    }

    @inlinable
    override func run(in chain: DeferredChain) -> Bool {
        Self.apply(chain, body)
    }

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
final class ObserverStage<In>: DeferredStage {
    @usableFromInline let body: (Result<In, Failure>) -> Void
    @usableFromInline let handles: Bool

    @inlinable
    init(handles: Bool, _ body: @escaping (Result<In, Failure>) -> Void) {
        self.handles = handles
        self.body = body
        super.init()
    }

    /// The stage's closures as kept in an inline slot of the chain (a struct, so each closure is
    /// stored as declared here, as in the node, with no reabstraction thunk).
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

    /// The stage to keep in an inline slot: its closures, and the ``SlotRunner`` that runs them
    /// (formed here so that, specialized in the caller, it captures nothing).
    @inlinable @inline(__always)
    static func slot(handles: Bool, _ body: @escaping (Result<In, Failure>) -> Void) -> (Payload, SlotRunner) {
        (Payload(handles, body), { chain, payload, run in
            let stored = payload.assumingMemoryBound(to: ObserverStage<In>.Payload.self).move()
            return run ? ObserverStage<In>.apply(chain, handles: stored.handles, stored.body) : true
        })
    }

    @inlinable
    override func run(in chain: DeferredChain) -> Bool {
        Self.apply(chain, handles: handles, body)
    }

    @inlinable @inline(__always)
    static func apply(_ chain: DeferredChain, handles: Bool, _ body: (Result<In, Failure>) -> Void) -> Bool {
        if chain.state == .success {
            body(.success(chain.peekValue(In.self)))
        } else {
            body(.failure(chain.failure.unsafelyUnwrapped))
        }
        chain.resultHandedOff = handles
        return true
    }
}
