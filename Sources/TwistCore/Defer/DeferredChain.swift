public import Logging

/// What a chain holds now: nothing (before the first fire, while a stage runs, while waiting on
/// another chain), a value in ``DeferredChain``'s value buffer, or a failure.
@usableFromInline
enum ResultState: UInt8 {
    case none
    case success
    case failure
}

/// The one chain behind every ``Deferred`` handle: its result, its stages, and its state.
///
/// **Typed storage.** One chain changes its result type from stage to stage, so the chain itself
/// is not generic. Its current value lives in a raw three-word buffer (``ValueBuffer``) and is
/// only ever read and written by code that knows its type: every stage is generic over its input
/// and output types, and the typed ``Deferred`` handles guarantee by construction that a stage's
/// input type is the type of the value stored when it runs (``requireCurrent(_:_:)`` checks each
/// handle; debug builds also assert the stored type on every access). So no stage pays for an
/// existential: no boxing, no value-witness calls, no dynamic cast; specialized in the caller, a
/// stage on `Int` is a few loads and stores. ``storedType`` records what the buffer holds, for
/// the untyped paths (destroying a non-trivial value when the chain goes, `description`).
///
/// **Queued stages.** A stage that cannot run at once is queued as a fixed-size record in
/// ``stages`` (a ``DeferredStageQueue``): the stage's closures as raw payload, and a
/// ``StageRunner`` formed in the (specialized) `add*` code that knows their types, so a queued
/// stage runs specialized code and the queue is not a list of objects. The first few records live
/// inside the chain, so a short chain allocates nothing per stage.
///
/// **Where the code is.** This file has the chain's state; DeferredChain+Value.swift the typed
/// access to its current result; DeferredChain+Fire.swift `callback`/`errback`;
/// DeferredChain+Run.swift running stages (at once, queued, and the hand-over between chains);
/// DeferredChain+Cancel.swift `cancel`; DeferredChain+Debugging.swift the debugging hooks; and
/// DeferredStage.swift the kinds of stage.
///
/// Confined to one thread, like Deferred.
@usableFromInline
final class DeferredChain {
    // Dynamic exclusivity checks are off for the chain's state: a chain is confined to one
    // thread and its properties are only read and assigned, never borrowed across a call
    // (the checks cost about a sixth of a short chain's time).

    /// What the chain holds now (see ``ResultState``).
    @exclusivity(unchecked) @usableFromInline var state = ResultState.none

    /// The current value when ``state`` is `.success`: inline, or a ``ValueBox`` reference.
    @exclusivity(unchecked) @usableFromInline var buffer: ValueBuffer = (0, 0, 0)

    /// The type of the value in ``buffer`` (meaningful while ``state`` is `.success`).
    @exclusivity(unchecked) @usableFromInline var storedType: Any.Type = Void.self

    /// True when the value in ``buffer`` needs no destruction (inline and trivial).
    @exclusivity(unchecked) @usableFromInline var storedIsTrivial = true

    /// The current failure when ``state`` is `.failure`, nil otherwise.
    @exclusivity(unchecked) @usableFromInline var failure: Failure?

    /// True once `callback`/`errback` has been called (Twisted's `called`); stays true while paused
    /// or waiting on an inner Deferred.
    @exclusivity(unchecked) @usableFromInline var hasFired = false

    /// True when the failure held was passed to another chain or to an awaiting task, so it must
    /// not be reported as unhandled.
    @exclusivity(unchecked) @usableFromInline var resultHandedOff = false

    /// How many `pause()` calls are not yet matched by `unpause()`.
    @exclusivity(unchecked) @usableFromInline var pauseCount = 0

    /// True while this chain's stages are running (guards against re-entrant runs).
    @exclusivity(unchecked) @usableFromInline var isRunning = false

    /// The stages queued to run after the current result (see ``DeferredStageQueue``); empty
    /// whenever a stage may run at once.
    @exclusivity(unchecked) @usableFromInline var stages = DeferredStageQueue()

    /// The chain this one waits on (set while a stage's returned Deferred is pending).
    ///
    /// Strong, as in Twisted, so that ``cancel()`` can reach the inner chain even when nobody else
    /// holds it. The waited-on chain holds this one through its resume stage; that cycle ends when
    /// the inner chain hands its result over (or is cancelled and does). A pair that never fires
    /// and that nobody else holds stays alive: cancel or fire what you wait on.
    @exclusivity(unchecked) @usableFromInline var waitingOn: DeferredChain?

    /// Called by `cancel()` before the chain has fired; dropped when the chain fires.
    @exclusivity(unchecked) @usableFromInline var canceller: ((DeferredChain) -> Void)?

    /// When true, `cancel()` leaves firing to the canceller (used by the async bridge, whose task
    /// fires the chain when it finishes); otherwise an unfired chain is errbacked with CancelledError.
    @exclusivity(unchecked) var cancellerFiresLater = false

    /// Set by `cancel()` without a canceller: the next `callback`/`errback` is swallowed once.
    @exclusivity(unchecked) @usableFromInline var suppressAlreadyCalled = false

    /// The type `callback` takes, and the type of the result after the last stage added.
    @usableFromInline let inputType: Any.Type
    @exclusivity(unchecked) @usableFromInline var currentType: Any.Type

    /// Where an unhandled failure is reported; nil means ``DeferredLogging``'s current logger.
    let logger: Logger?

    /// The creation and first-fire stacks, recorded only while debugging (see
    /// DeferredChain+Debugging.swift); otherwise nil, which is all that firing checks. Spelled
    /// `Optional<…>` so it has no implicit nil: `init` initializes it rather than assigning over nil.
    @exclusivity(unchecked) @usableFromInline var debugInfo: Optional<DeferredDebugInfo>

    /// A chain that has not fired, whose `callback` takes an `inputType` (the handle's `Value`).
    @usableFromInline
    init(inputType: Any.Type, logger: Logger?) {
        debugInfo = DeferredDebugInfo.forNewChain()
        self.inputType = inputType
        self.currentType = inputType
        self.logger = logger
    }

    deinit {
        switch state {
        case .failure:
            if !resultHandedOff, let failure { DeferredLogging.reportUnhandled(failure, to: logger, debugInfo) }
        case .success:
            if !storedIsTrivial { destroyStoredValue() }
        case .none:
            break
        }
        // Discards the stages that never ran (their runners release the closures); the queue's
        // own deinit then frees its overflow buffer.
        while !stages.isEmpty { _ = runFirstStage(run: false) }
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
