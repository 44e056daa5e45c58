/// One stage of a ``DeferredChain``: a callback/errback pair, or the marker that resumes a chain
/// waiting on this one.
///
/// Stages are nodes of a singly linked list. Each typed subclass holds the user's closures
/// directly, so a stage costs one allocation. The `apply` functions are static so that the fast
/// path (adding to a fired, idle chain) can run the same logic without allocating a node.
@usableFromInline
class DeferredStage {
    /// The next stage to run.
    @exclusivity(unchecked) @usableFromInline final var next: DeferredStage?

    /// For the resume marker: the chain waiting on this one, which takes over its result.
    final let resumeTarget: DeferredChain?

    /// A marker that hands the result to `target`, a chain that returned this one from a stage.
    init(resuming target: DeferredChain) {
        resumeTarget = target
    }

    @usableFromInline
    init() {
        resumeTarget = nil
    }

    /// Runs the stage's callback or errback on `input` and returns what the chain holds next.
    func run(_ input: Outcome, in chain: DeferredChain) -> Outcome {
        input
    }
}

/// Runs a throwing body, turning a thrown error into a failure.
@inlinable @inline(__always)
func outcome<Out>(_ body: () throws -> Out) -> Outcome {
    do {
        return .success(try body())
    } catch {
        return .failure(Failure(caught: error))
    }
}

/// Runs a throwing body that returns a Deferred: the chain will wait on (or take over) its result.
@inlinable @inline(__always)
func outcome<Out>(_ body: () throws -> Deferred<Out>) -> Outcome {
    do {
        let inner = try body()
        inner.chain.requireCurrent(Out.self, "returned from a callback")
        return .waiting(inner.chain)
    } catch {
        return .failure(Failure(caught: error))
    }
}

/// A callback/errback pair returning plain values (`addCallback`, `addErrback`, `addCallbacks`).
/// A nil member passes its kind of result through unchanged.
@usableFromInline
final class ValueStage<In, Out>: DeferredStage {
    let onSuccess: ((In) throws -> Out)?
    let onFailure: ((Failure) throws -> Out)?

    @usableFromInline
    init(_ onSuccess: ((In) throws -> Out)?, _ onFailure: ((Failure) throws -> Out)?) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        super.init()
    }

    override func run(_ input: Outcome, in chain: DeferredChain) -> Outcome {
        Self.apply(input, onSuccess, onFailure)
    }

    @inlinable @inline(__always)
    static func apply(
        _ input: Outcome, _ onSuccess: ((In) throws -> Out)?, _ onFailure: ((Failure) throws -> Out)?
    ) -> Outcome {
        switch input {
        case .success(let value):
            guard let onSuccess else { return input }
            return outcome { try onSuccess(unbox(value, as: In.self)) }
        case .failure(let failure):
            guard let onFailure else { return input }
            return outcome { try onFailure(failure) }
        case .waiting:
            return input
        }
    }
}

/// A callback/errback pair whose members return Deferreds the chain then waits on.
@usableFromInline
final class DeferredValueStage<In, Out>: DeferredStage {
    let onSuccess: ((In) throws -> Deferred<Out>)?
    let onFailure: ((Failure) throws -> Deferred<Out>)?

    @usableFromInline
    init(_ onSuccess: ((In) throws -> Deferred<Out>)?, _ onFailure: ((Failure) throws -> Deferred<Out>)?) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        super.init()
    }

    override func run(_ input: Outcome, in chain: DeferredChain) -> Outcome {
        Self.apply(input, onSuccess, onFailure)
    }

    @inlinable @inline(__always)
    static func apply(
        _ input: Outcome,
        _ onSuccess: ((In) throws -> Deferred<Out>)?,
        _ onFailure: ((Failure) throws -> Deferred<Out>)?
    ) -> Outcome {
        switch input {
        case .success(let value):
            guard let onSuccess else { return input }
            return outcome { try onSuccess(unbox(value, as: In.self)) }
        case .failure(let failure):
            guard let onFailure else { return input }
            return outcome { try onFailure(failure) }
        case .waiting:
            return input
        }
    }
}

/// One body for both kinds of result (`addBoth`), given a `Result`.
@usableFromInline
final class BothStage<In, Out>: DeferredStage {
    let body: (Result<In, Failure>) throws -> Out

    @usableFromInline
    init(_ body: @escaping (Result<In, Failure>) throws -> Out) {
        self.body = body
        super.init()
    }

    override func run(_ input: Outcome, in chain: DeferredChain) -> Outcome {
        Self.apply(input, body)
    }

    @inlinable @inline(__always)
    static func apply(_ input: Outcome, _ body: (Result<In, Failure>) throws -> Out) -> Outcome {
        switch input {
        case .success(let value): return outcome { try body(.success(unbox(value, as: In.self))) }
        case .failure(let failure): return outcome { try body(.failure(failure)) }
        case .waiting: return input
        }
    }
}

/// One body for both kinds of result that returns a Deferred (`addBoth` returning a Deferred).
@usableFromInline
final class DeferredBothStage<In, Out>: DeferredStage {
    let body: (Result<In, Failure>) throws -> Deferred<Out>

    @usableFromInline
    init(_ body: @escaping (Result<In, Failure>) throws -> Deferred<Out>) {
        self.body = body
        super.init()
    }

    override func run(_ input: Outcome, in chain: DeferredChain) -> Outcome {
        Self.apply(input, body)
    }

    @inlinable @inline(__always)
    static func apply(_ input: Outcome, _ body: (Result<In, Failure>) throws -> Deferred<Out>) -> Outcome {
        switch input {
        case .success(let value): return outcome { try body(.success(unbox(value, as: In.self))) }
        case .failure(let failure): return outcome { try body(.failure(failure)) }
        case .waiting: return input
        }
    }
}

/// Watches the result without changing it. With `handles` set it also marks a failure as taken
/// care of (the awaiting task or a consuming list has it), so it is not reported as unhandled.
final class ObserverStage<In>: DeferredStage {
    let body: (Result<In, Failure>) -> Void
    let handles: Bool

    init(handles: Bool, _ body: @escaping (Result<In, Failure>) -> Void) {
        self.handles = handles
        self.body = body
        super.init()
    }

    override func run(_ input: Outcome, in chain: DeferredChain) -> Outcome {
        Self.apply(input, body)
        if handles { chain.stageHandledResult = true }
        return input
    }

    @inlinable @inline(__always)
    static func apply(_ input: Outcome, _ body: (Result<In, Failure>) -> Void) {
        switch input {
        case .success(let value): body(.success(unbox(value, as: In.self)))
        case .failure(let failure): body(.failure(failure))
        case .waiting: break
        }
    }
}
