public import Logging

/// What a stage hands on: a value, a failure, or a Deferred the chain must wait for.
///
/// A chain stores only `.success` and `.failure`; `.waiting` exists only between a stage and
/// ``DeferredChain/settle(_:)``. Values are stored type-erased because one chain changes its result
/// type from stage to stage; the typed ``Deferred`` handles guarantee the types line up.
@usableFromInline
enum Outcome {
    case success(Any)
    case failure(Failure)
    case waiting(DeferredChain)
}

/// The one chain behind every ``Deferred`` handle: its result, its stages, and its state.
///
/// Stages form a singly linked list of ``DeferredStage`` nodes, so adding a stage costs exactly one
/// allocation (the node, which holds the user's closures). Confined to one thread, like Deferred.
@usableFromInline
final class DeferredChain {
    // Dynamic exclusivity checks are off for the chain's state: a chain is confined to one
    // thread and its properties are only read and assigned, never borrowed across a call
    // (the checks cost about a sixth of a short chain's time).
    /// The current result; nil before the first fire and while waiting on another chain.
    @exclusivity(unchecked) @usableFromInline var result: Outcome?

    /// True once `callback`/`errback` has been called (Twisted's `called`); stays true while paused
    /// or waiting on an inner Deferred.
    @exclusivity(unchecked) var hasFired = false

    /// True when the failure in ``result`` was passed to another chain or to an awaiting task,
    /// so it must not be reported as unhandled.
    @exclusivity(unchecked) @usableFromInline var resultHandedOff = false

    /// Set by a stage that takes care of the failure it passes on unchanged (an awaiting task);
    /// ``settle(_:)`` turns it into ``resultHandedOff`` for the stage's output.
    @exclusivity(unchecked) var stageHandledResult = false

    /// How many `pause()` calls are not yet matched by `unpause()`.
    @exclusivity(unchecked) @usableFromInline var pauseCount = 0

    /// True while this chain's stages are running (guards against re-entrant runs).
    @exclusivity(unchecked) @usableFromInline var isRunning = false

    /// The first and last stage not yet run.
    @exclusivity(unchecked) @usableFromInline var head: DeferredStage?
    @exclusivity(unchecked) @usableFromInline var tail: DeferredStage?

    /// The chain this one waits on (set while a stage's returned Deferred is pending).
    ///
    /// Strong, as in Twisted, so that ``cancel()`` can reach the inner chain even when nobody else
    /// holds it. The waited-on chain holds this one through its resume stage; that cycle ends when
    /// the inner chain hands its result over (or is cancelled and does). A pair that never fires
    /// and that nobody else holds stays alive: cancel or fire what you wait on.
    @exclusivity(unchecked) var waitingOn: DeferredChain?

    /// Called by `cancel()` before the chain has fired; dropped when the chain fires.
    @exclusivity(unchecked) var canceller: ((DeferredChain) -> Void)?

    /// When true, `cancel()` leaves firing to the canceller (used by the async bridge, whose task
    /// fires the chain when it finishes); otherwise an unfired chain is errbacked with CancelledError.
    @exclusivity(unchecked) var cancellerFiresLater = false

    /// Set by `cancel()` without a canceller: the next `callback`/`errback` is swallowed once.
    @exclusivity(unchecked) var suppressAlreadyCalled = false

    /// The type `callback` takes, and the type of the result after the last stage added.
    @usableFromInline let inputType: Any.Type
    @exclusivity(unchecked) @usableFromInline var currentType: Any.Type

    /// Where an unhandled failure is reported; nil means ``DeferredLogging``'s current logger.
    let logger: Logger?

    @usableFromInline
    init(inputType: Any.Type, logger: Logger?) {
        self.inputType = inputType
        self.currentType = inputType
        self.logger = logger
    }

    deinit {
        if case .failure(let failure)? = result, !resultHandedOff {
            DeferredLogging.reportUnhandled(failure, to: logger)
        }
        // Unlink the stages one by one: releasing a long list recursively would overflow the stack.
        tail = nil
        var node = head
        head = nil
        while let current = node {
            node = current.next
            current.next = nil
        }
    }

    /// True when the chain has a result and nothing stops it from running stages now.
    @inlinable @inline(__always)
    var isReady: Bool {
        result != nil && pauseCount == 0 && !isRunning
    }

    /// True when a stage added now may run at once, without being queued.
    @inlinable @inline(__always)
    var canRunInline: Bool {
        head == nil && isReady
    }

    /// Appends a stage to run after the ones already queued.
    @inlinable @inline(__always)
    func append(_ stage: DeferredStage) {
        if let last = tail {
            last.next = stage
        } else {
            head = stage
        }
        tail = stage
    }

    /// Removes and returns the first queued stage.
    @inline(__always)
    func popFirst() -> DeferredStage? {
        guard let first = head else { return nil }
        head = first.next
        first.next = nil
        if head == nil { tail = nil }
        return first
    }

    /// Stores a stage's output as the result. Returns false when the chain must now wait on the
    /// Deferred the stage returned (the chain's remaining stages then run after that one fires).
    @usableFromInline
    func settle(_ output: Outcome) -> Bool {
        guard case .waiting(let inner) = output else {
            result = output
            resultHandedOff = stageHandledResult
            stageHandledResult = false
            return true
        }
        if inner === self {
            result = .failure(Failure(caught: DeferredCycleError()))
            resultHandedOff = false
            return true
        }
        if let innerResult = inner.result, inner.pauseCount == 0 {
            // Already fired and free: take its result now, without waiting (no recursion).
            inner.resultHandedOff = true
            result = innerResult
            resultHandedOff = false
            return true
        }
        result = nil
        waitingOn = inner
        inner.append(DeferredStage(resuming: self))
        return false
    }

    /// Records the first fire. Throws ``AlreadyCalledError`` on a second one (except the single
    /// late fire that `cancel()` without a canceller allows).
    @usableFromInline
    func fire(_ outcome: Outcome) throws {
        if hasFired {
            if suppressAlreadyCalled {
                suppressAlreadyCalled = false
                return
            }
            throw AlreadyCalledError()
        }
        hasFired = true
        canceller = nil
        result = outcome
        resultHandedOff = false
        if head != nil { runStages() }
    }

    /// Runs queued stages until every chain reached from here is done, paused or waiting.
    ///
    /// No recursion: when this chain's result is handed to a chain that waited on it, that chain
    /// runs next in this same loop, and the handing chain is resumed afterwards from `handedOver`.
    @usableFromInline
    func runStages() {
        var current = self
        var handedOver: [DeferredChain] = []
        while true {
            if current.isReady, current.head != nil {
                current.isRunning = true
                var resumed: DeferredChain?
                while let stage = current.popFirst() {
                    if let target = stage.resumeTarget {
                        target.waitingOn = nil
                        target.result = current.result
                        target.resultHandedOff = false
                        current.resultHandedOff = true
                        resumed = target
                        break
                    }
                    guard let input = current.result else { break }
                    if !current.settle(stage.run(input, in: current)) { break }
                }
                current.isRunning = false
                if let resumed {
                    // Come back to this chain only if it has stages left (no allocation otherwise).
                    if current.head != nil { handedOver.append(current) }
                    current = resumed
                    continue
                }
            }
            guard let next = handedOver.popLast() else { return }
            current = next
        }
    }

    /// Runs one stage at once on a chain that has a result and nothing queued (the fast path for
    /// adding to a fired Deferred: no node is allocated).
    @inlinable @inline(__always)
    func runInline(_ apply: (Outcome) -> Outcome) {
        guard let input = result else { return }
        isRunning = true
        let output = apply(input)
        isRunning = false
        if settle(output), head != nil { runStages() }
    }

    /// Cancels the chain: see ``Deferred/cancel()``.
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
                try? fire(.failure(Failure(caught: CancelledError())))
            }
        } else if let inner = waitingOn {
            inner.cancel()
        }
    }

    /// Traps with a clear message unless a handle typed `Value` matches the chain's current type.
    /// (`fatalError`, not `precondition`, so the message is printed in release builds too.)
    @inlinable @inline(__always)
    func requireCurrent<Value>(_: Value.Type, _ operation: StaticString) {
        if currentType != Value.self {
            fatalError(
                "Deferred<\(Value.self)>.\(operation) used on a chain whose result type is now \(currentType): "
                    + "each add* call returns a new handle; keep using the one returned by the last call"
            )
        }
    }
}
