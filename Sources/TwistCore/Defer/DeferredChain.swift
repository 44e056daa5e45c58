public import Logging

import Glibc

/// What a chain holds now: nothing (before the first fire, while a stage runs, while waiting on
/// another chain), a value in ``DeferredChain``'s value buffer, or a failure.
@usableFromInline
enum ResultState: UInt8 {
    case none
    case success
    case failure
}

/// Three words of inline storage for a chain's current value, the size of an existential's buffer.
/// A value that is larger or more aligned lives in a ``ValueBox`` whose reference is stored here.
@usableFromInline
typealias ValueBuffer = (UInt, UInt, UInt)

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

/// Runs (`true`) or discards (`false`) one queued stage of a ``DeferredChain``: given the chain
/// (unretained: the caller keeps it alive, and a trivial argument costs no retain and release
/// where the stored closure passes its arguments indirectly) and the address of the stage's
/// payload (its closures, already moved out of the queue to the caller's stack), it takes the
/// payload and runs or drops it.
@usableFromInline
typealias StageRunner = (Unmanaged<DeferredChain>, UnsafeMutableRawPointer, Bool) -> StageOutcome

/// Raw storage for ``DeferredChain/inlineStageCount`` stage records of
/// ``DeferredChain/stageStride`` bytes each: a ``StageRunner`` (two words), then up to four words
/// of payload.
@usableFromInline
typealias InlineStageStorage = (
    UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt,
    UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt
)

/// Heap storage for a value that does not fit in a ``ValueBuffer``.
@usableFromInline
final class ValueBox<T> {
    @usableFromInline let value: T

    @inlinable
    init(_ value: T) {
        self.value = value
    }
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
/// **Queued stages.** A stage that cannot run at once is queued as a fixed-size record: the
/// stage's closures as raw payload, and a ``StageRunner`` formed in the (specialized) `add*` code
/// that knows their types, so a queued stage runs specialized code and the queue is not a list of
/// objects. The queue is one logical array of records, `stageHead..<stageEnd`: the first
/// ``inlineStageCount`` live inside the chain (``inlineStages``), so a short chain allocates
/// nothing per stage; the rest in one growable heap buffer (``overflow``), so a long one costs an
/// allocation only when the buffer doubles. Both indices return to 0 whenever the queue empties,
/// and a full buffer is first compacted when most of it has already run, so a chain that keeps
/// adding stages while running does not grow without bound.
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

    /// The first queued stage records (see the type's documentation). Pending records are
    /// `stageHead..<stageEnd`; both indices are 0 when nothing is queued.
    @exclusivity(unchecked) @usableFromInline var inlineStages: InlineStageStorage = (
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    )
    @exclusivity(unchecked) @usableFromInline var stageHead = 0
    @exclusivity(unchecked) @usableFromInline var stageEnd = 0

    /// The records after the inline ones (record `i` is at `(i - inlineStageCount) * stageStride`),
    /// and how many records it has room for; nil and 0 until a chain queues more than
    /// ``inlineStageCount`` stages at once.
    @exclusivity(unchecked) @usableFromInline var overflow: UnsafeMutableRawPointer?
    @exclusivity(unchecked) @usableFromInline var overflowCapacity = 0

    /// How many stage records a chain holds inline, the bytes each takes, and the bytes of payload
    /// a record has room for (after its runner).
    @inlinable static var inlineStageCount: Int { 4 }
    @inlinable static var stageStride: Int { 48 }
    @inlinable static var payloadBytes: Int { 32 }

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
        while stageEnd != 0 { _ = runFirstStage(run: false) }
        if let overflow { free(overflow) }
    }

    // MARK: Typed access to the current value

    /// True when a `T` is stored in the buffer itself rather than in a ``ValueBox`` (a constant
    /// once specialized).
    @inlinable @inline(__always)
    static func storesInline<T>(_: T.Type) -> Bool {
        MemoryLayout<T>.size <= MemoryLayout<ValueBuffer>.size
            && MemoryLayout<T>.alignment <= MemoryLayout<ValueBuffer>.alignment
    }

    /// Stores `value` as the current result. The chain must hold nothing.
    @inlinable @inline(__always)
    func storeValue<T>(_ value: __owned T) {
        assert(state == .none, "a chain's value was overwritten")
        if Self.storesInline(T.self) {
            withUnsafeMutableBytes(of: &buffer) { _ = $0.baseAddress!.initializeMemory(as: T.self, to: value) }
            storedIsTrivial = _isPOD(T.self)
        } else {
            let box = ValueBox(value)
            withUnsafeMutableBytes(of: &buffer) { _ = $0.baseAddress!.initializeMemory(as: ValueBox<T>.self, to: box) }
            storedIsTrivial = false
        }
        storedType = T.self
        state = .success
    }

    /// Moves the current value, a `T`, out of the chain, which then holds nothing.
    @inlinable @inline(__always)
    func takeValue<T>(_: T.Type) -> T {
        assert(state == .success && storedType == T.self, "a chain's value was read as \(T.self), not \(storedType)")
        state = .none
        return moveStoredValue(T.self)
    }

    /// A copy of the current value, a `T`; the chain keeps it.
    @inlinable @inline(__always)
    func peekValue<T>(_: T.Type) -> T {
        assert(state == .success && storedType == T.self, "a chain's value was read as \(T.self), not \(storedType)")
        if Self.storesInline(T.self) {
            return withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.assumingMemoryBound(to: T.self).pointee }
        }
        return withUnsafeMutableBytes(of: &buffer) {
            $0.baseAddress!.assumingMemoryBound(to: ValueBox<T>.self).pointee.value
        }
    }

    /// Moves the `T` out of the buffer, leaving `state` to the caller.
    @inlinable @inline(__always)
    func moveStoredValue<T>(_: T.Type) -> T {
        if Self.storesInline(T.self) {
            return withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.assumingMemoryBound(to: T.self).move() }
        }
        let box = withUnsafeMutableBytes(of: &buffer) {
            $0.baseAddress!.assumingMemoryBound(to: ValueBox<T>.self).move()
        }
        return box.value
    }

    /// Destroys the stored value without knowing its type statically (the chain is going away).
    @usableFromInline
    func destroyStoredValue() {
        func destroy<T>(_ type: T.Type) {
            _ = moveStoredValue(type)
        }
        state = .none
        destroy(storedType)
    }

    /// The stored value as `Any`, for code that does not know its type (`description`, and
    /// ``Deferred/currentResult`` asked for a type other than the stored one).
    func storedValueAsAny() -> Any? {
        guard state == .success else { return nil }
        func read<T>(_ type: T.Type) -> Any {
            peekValue(type)
        }
        return read(storedType)
    }

    /// Stores `failure` as the current result. The chain must hold nothing.
    @inlinable @inline(__always)
    func storeFailure(_ failure: Failure) {
        assert(state == .none, "a chain's value was overwritten")
        self.failure = failure
        state = .failure
    }

    /// Moves the current failure out of the chain, which then holds nothing.
    @inlinable @inline(__always)
    func takeFailure() -> Failure {
        assert(state == .failure)
        state = .none
        defer { failure = nil }
        return failure.unsafelyUnwrapped
    }

    /// Stores a copy of `source`'s current result (a `T` or a failure) as this chain's result.
    @inlinable @inline(__always)
    func copyResult<T>(of source: DeferredChain, _: T.Type) {
        if source.state == .success {
            storeValue(source.peekValue(T.self))
        } else {
            storeFailure(source.failure.unsafelyUnwrapped)
        }
    }

    // MARK: Running stages

    /// True when the chain has a result and nothing stops it from running stages now.
    @inlinable @inline(__always)
    var isReady: Bool {
        state != .none && pauseCount == 0 && !isRunning
    }

    /// True when stages are queued.
    @inlinable @inline(__always)
    var hasPendingStages: Bool {
        stageEnd != 0
    }

    /// True when a stage added now may run at once, without being queued.
    @inlinable @inline(__always)
    var canRunInline: Bool {
        !hasPendingStages && isReady
    }

    /// Calls `body` with the address of stage record `index` (inline or in ``overflow``). The
    /// address is valid only inside `body`, which must not run user code.
    @inlinable @inline(__always)
    func withStageRecord<R>(_ index: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        if index < Self.inlineStageCount {
            return withUnsafeMutableBytes(of: &inlineStages) { body($0.baseAddress! + index * Self.stageStride) }
        }
        return body(overflow.unsafelyUnwrapped + (index - Self.inlineStageCount) * Self.stageStride)
    }

    /// Queues a stage after the ones already queued: `payload` holds its closures, `runner` moves
    /// them out of the queue and runs or discards them.
    @inlinable @inline(__always)
    func appendStage<P>(_ payload: __owned P, _ runner: @escaping StageRunner) {
        // Every stage payload is at most four words (a constant check once specialized).
        precondition(MemoryLayout<P>.size <= Self.payloadBytes && MemoryLayout<P>.alignment <= 8)
        if stageEnd >= Self.inlineStageCount + overflowCapacity { makeRoomForStage() }
        let index = stageEnd
        stageEnd = index + 1
        withStageRecord(index) { record in
            _ = record.initializeMemory(as: StageRunner.self, to: runner)
            _ = (record + 16).initializeMemory(as: P.self, to: payload)
        }
    }

    /// Makes room for one more record at `stageEnd`: moves the pending records to the front when
    /// at most half of the room is pending (most records have run), otherwise doubles the overflow
    /// buffer. Records are closures and chain references, which move bitwise.
    @usableFromInline
    func makeRoomForStage() {
        let room = Self.inlineStageCount + overflowCapacity
        let pending = stageEnd - stageHead
        if stageHead > 0, pending <= room / 2 {
            for offset in 0..<pending {
                withUnsafeTemporaryAllocation(byteCount: Self.stageStride, alignment: 8) { record in
                    withStageRecord(stageHead + offset) {
                        record.baseAddress!.copyMemory(from: $0, byteCount: Self.stageStride)
                    }
                    withStageRecord(offset) { $0.copyMemory(from: record.baseAddress!, byteCount: Self.stageStride) }
                }
            }
            stageHead = 0
            stageEnd = pending
            return
        }
        // `realloc` grows in place when it can, and moves a large buffer by remapping its pages
        // instead of copying them.
        // The first buffer takes the queue to 32 records (1.5 KiB), enough for most chains.
        let capacity = overflowCapacity == 0 ? 28 : overflowCapacity * 2
        guard let grown = realloc(overflow, capacity * Self.stageStride) else {
            fatalError("out of memory for \(capacity) queued Deferred stages")
        }
        overflow = grown
        overflowCapacity = capacity
    }

    /// The most overflow records an idle chain keeps (12 KiB); a larger buffer is freed as soon as
    /// the queue empties, so a chain that once queued a million stages does not hold them.
    @inlinable static var retainedOverflowCapacity: Int { 256 }

    /// Frees the overflow buffer (the queue must not use it).
    @usableFromInline
    func releaseOverflow() {
        free(overflow)
        overflow = nil
        overflowCapacity = 0
    }

    /// Removes the first queued stage and runs (or, with `run` false, discards) it.
    @usableFromInline
    func runFirstStage(run: Bool) -> StageOutcome {
        let index = stageHead
        if index + 1 == stageEnd {
            stageHead = 0
            stageEnd = 0
        } else {
            stageHead = index + 1
        }
        // The record is emptied (runner and payload moved, bitwise, to the stack) before any user
        // code runs: a stage that code adds may take this record's place again, or move the queue,
        // and no access to the queue's storage is still open while it does.
        return withUnsafeTemporaryAllocation(byteCount: Self.payloadBytes, alignment: 8) { local in
            let runner = withStageRecord(index) { record -> StageRunner in
                local.baseAddress!.copyMemory(from: record + 16, byteCount: Self.payloadBytes)
                return record.assumingMemoryBound(to: StageRunner.self).move()
            }
            if stageEnd == 0, overflowCapacity > Self.retainedOverflowCapacity { releaseOverflow() }
            return runner(Unmanaged.passUnretained(self), local.baseAddress!, run)
        }
    }

    /// Makes the chain continue with the result of `inner`, a `T` chain returned by one of its
    /// stages (the stage has taken the input; the chain holds nothing). Returns false when the
    /// chain must now wait for `inner` (its remaining stages then run after that one fires).
    @inlinable
    func adopt<T>(_ inner: DeferredChain, _: T.Type) -> Bool {
        if inner === self {
            storeFailure(Failure(caught: DeferredCycleError()))
            resultHandedOff = false
            return true
        }
        if inner.state != .none, inner.pauseCount == 0 {
            // Already fired and free: take its result now, without waiting (no recursion).
            inner.resultHandedOff = true
            copyResult(of: inner, T.self)
            resultHandedOff = false
            return true
        }
        waitingOn = inner
        let (payload, runner) = ResumeStage<T>.queued(resuming: self)
        inner.appendStage(payload, runner)
        return false
    }

    /// Checks that the chain may be fired: throws ``AlreadyCalledError`` on a second fire, and
    /// returns false for the single late fire that `cancel()` without a canceller swallows.
    @usableFromInline
    func beginFire() throws -> Bool {
        if hasFired {
            if suppressAlreadyCalled {
                suppressAlreadyCalled = false
                return false
            }
            try throwAlreadyCalled()
        }
        hasFired = true
        canceller = nil
        return true
    }

    /// Fires the chain with a value (see ``beginFire()``).
    @inlinable
    func fire<T>(_ value: __owned T) throws {
        guard try beginFire() else { return }
        if _slowPath(debugInfo != nil) { recordFirstInvoker() }
        storeValue(value)
        resultHandedOff = false
        if hasPendingStages { runStages() }
    }

    /// Fires the chain with a failure (see ``beginFire()``).
    @usableFromInline
    func fire(failure: Failure) throws {
        guard try beginFire() else { return }
        if _slowPath(debugInfo != nil) { recordFirstInvoker() }
        storeFailure(failure)
        resultHandedOff = false
        if hasPendingStages { runStages() }
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
            if current.isReady, current.hasPendingStages {
                current.isRunning = true
                var resumed: DeferredChain?
                running: while current.state != .none, current.stageEnd != 0 {
                    switch current.runFirstStage(run: true) {
                    case .proceed:
                        continue
                    case .wait:
                        break running
                    case .resume(let target):
                        resumed = target
                        break running
                    }
                }
                current.isRunning = false
                if let resumed {
                    // Come back to this chain only if it has stages left (no allocation otherwise).
                    if current.hasPendingStages { handedOver.append(current) }
                    current = resumed
                    continue
                }
            }
            guard let next = handedOver.popLast() else { return }
            current = next
        }
    }

    /// Runs one stage at once on a chain that has a result and nothing queued (the fast path for
    /// adding to a fired Deferred: nothing is queued). `apply` returns false when the chain
    /// must now wait on a Deferred the stage returned.
    @inlinable @inline(__always)
    func runInline(_ apply: (DeferredChain) -> Bool) {
        isRunning = true
        let proceed = apply(self)
        isRunning = false
        if proceed, hasPendingStages { runStages() }
    }

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
