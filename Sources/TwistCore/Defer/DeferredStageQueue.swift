import Glibc

/// Runs (`true`) or discards (`false`) one queued stage of a ``DeferredChain``: given the chain
/// (unretained: the caller keeps it alive, and a trivial argument costs no retain and release
/// where the stored closure passes its arguments indirectly) and the address of the stage's
/// payload (its closures, already moved out of the queue to the caller's stack), it takes the
/// payload and runs or drops it.
@usableFromInline
typealias StageRunner = (Unmanaged<DeferredChain>, UnsafeMutableRawPointer, Bool) -> StageOutcome

/// Raw storage for ``DeferredStageQueue/inlineCapacity`` records of
/// ``DeferredStageQueue/recordStride`` bytes each (24 words; the tuple's size is checked against
/// the constants in ``DeferredStageQueue/assertLayout()``).
@usableFromInline
typealias InlineStageStorage = (
    UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt,
    UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt, UInt
)

/// The FIFO queue of a ``DeferredChain``'s stages that cannot run yet.
///
/// **Records.** Each queued stage is one fixed-size record: a ``StageRunner`` (formed in the
/// specialized `add*` code that knows the stage's types) followed by the stage's closures as raw
/// payload. The queue never looks inside a payload; it moves records bitwise (closures and chain
/// references move that way), and whoever pops a record owns its runner and payload.
///
/// **Storage.** The queue is one logical array of records, `head..<end`: the first
/// ``inlineCapacity`` live inline (``inlineRecords``, inside the chain object, so a short chain
/// allocates nothing per stage), the rest in one `realloc`-grown heap buffer (``overflow``), so a
/// long queue costs an allocation only when the buffer doubles. Both indices return to 0 whenever
/// the queue empties; a full queue is first compacted when at most half of its room is pending
/// (a chain that keeps adding stages while it runs does not grow without bound); an overflow
/// buffer larger than ``retainedOverflowCapacity`` is freed as soon as the queue empties.
///
/// Every layout constant is below, and ``assertLayout()`` checks them against the types they
/// describe. Noncopyable: a copy would share the overflow buffer and duplicate the records'
/// ownership. Its owner must pop every record before it goes (the queue cannot run a runner);
/// its `deinit` only frees the buffer. Confined to one thread, like its chain.
@usableFromInline
struct DeferredStageQueue: ~Copyable {
    // MARK: Layout constants

    /// How many records live inline, before the overflow buffer.
    @inlinable static var inlineCapacity: Int { 4 }

    /// The bytes at the start of a record taken by its ``StageRunner`` (a closure: two words).
    @inlinable static var runnerBytes: Int { 16 }

    /// The bytes of payload a record has room for after its runner (four words: every stage
    /// kind's `Payload` fits, checked on each push, a constant once specialized).
    @inlinable static var payloadCapacity: Int { 32 }

    /// The alignment of a record and of its payload (and the most a payload may need).
    @inlinable static var payloadAlignment: Int { 8 }

    /// The bytes from one record to the next.
    @inlinable static var recordStride: Int { runnerBytes + payloadCapacity }

    /// The overflow buffer's first capacity in records: with the inline ones, 32 records
    /// (1.5 KiB), enough for most chains. It doubles from there.
    @inlinable static var firstOverflowCapacity: Int { 28 }

    /// The most overflow records an idle queue keeps (12 KiB); a larger buffer is freed as soon
    /// as the queue empties, so a chain that once queued a million stages does not hold them.
    @inlinable static var retainedOverflowCapacity: Int { 256 }

    /// Checks the layout constants against the types they describe (debug builds; the checks are
    /// constants and vanish in release builds).
    @inlinable @inline(__always)
    static func assertLayout() {
        assert(MemoryLayout<StageRunner>.size == runnerBytes, "a stage runner is not \(runnerBytes) bytes")
        assert(MemoryLayout<StageRunner>.alignment <= payloadAlignment, "a stage runner needs more alignment")
        assert(runnerBytes % payloadAlignment == 0, "a record's payload would be misaligned")
        assert(recordStride % payloadAlignment == 0, "records would be misaligned")
        assert(
            MemoryLayout<InlineStageStorage>.size == inlineCapacity * recordStride,
            "the inline storage does not hold exactly \(inlineCapacity) records")
        assert(MemoryLayout<InlineStageStorage>.alignment >= payloadAlignment, "the inline storage is misaligned")
        assert(retainedOverflowCapacity >= firstOverflowCapacity, "a first overflow buffer would be freed at once")
    }

    // MARK: Storage

    /// The index of the first pending record (0 when the queue is empty).
    @usableFromInline var head = 0

    /// One past the index of the last pending record (0 when the queue is empty).
    @usableFromInline var end = 0

    /// The records after the inline ones (record `i` is at `(i - inlineCapacity) * recordStride`);
    /// nil until the queue first holds more than ``inlineCapacity`` records at once.
    @usableFromInline var overflow: UnsafeMutableRawPointer?

    /// How many records ``overflow`` has room for (0 without a buffer).
    @usableFromInline var overflowCapacity = 0

    /// The first ``inlineCapacity`` records. Declared after the indices on purpose: at offset 0,
    /// its address would be the queue's own, which the optimizer then shares between the
    /// chain's `stages.isEmpty` check and each inlined push, keeping it in a register for the
    /// whole caller (two instructions per chain even when nothing is queued).
    @usableFromInline var inlineRecords: InlineStageStorage = (
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    )

    /// An empty queue, with no overflow buffer.
    @inlinable
    init() {
        Self.assertLayout()
    }

    // Inlinable: the chain's `stages` setter is, and the 6.3 optimizer asserts when it would
    // inline a non-inlinable deinit into it.
    @inlinable
    deinit {
        assert(end == 0, "a stage queue went away with \(end - head) records in it")
        if let overflow { Self.freeBuffer(overflow) }
    }

    /// Frees an overflow buffer (`free` is not visible to inlinable code).
    @usableFromInline
    static func freeBuffer(_ buffer: UnsafeMutableRawPointer) {
        free(buffer)
    }

    // MARK: Queries

    /// True when no record is queued.
    @inlinable @inline(__always)
    var isEmpty: Bool {
        end == 0
    }

    /// How many records are queued.
    @inlinable
    var count: Int {
        end - head
    }

    /// How many records the queue holds before it must compact or grow (inline plus overflow).
    @inlinable
    var capacity: Int {
        Self.inlineCapacity + overflowCapacity
    }

    // MARK: Push and pop

    /// Calls `body` with the address of record `index` (inline or in ``overflow``). The address
    /// is valid only inside `body`, which must not run user code.
    @inlinable @inline(__always)
    mutating func withRecord<R>(_ index: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        if index < Self.inlineCapacity {
            return withUnsafeMutableBytes(of: &inlineRecords) { body($0.baseAddress! + index * Self.recordStride) }
        }
        return body(overflow.unsafelyUnwrapped + (index - Self.inlineCapacity) * Self.recordStride)
    }

    /// True when one more record fits without compacting or growing.
    @inlinable @inline(__always)
    var hasRoom: Bool {
        end < Self.inlineCapacity + overflowCapacity
    }

    /// Queues a record after the ones already queued: `runner`, then `payload` (moved in).
    @inlinable @inline(__always)
    mutating func push<P>(_ payload: __owned P, _ runner: @escaping StageRunner) {
        if !hasRoom { makeRoom() }
        pushAssumingRoom(payload, runner)
    }

    /// ``push(_:_:)`` once ``hasRoom`` is known to be true. For a caller that makes room itself,
    /// through a function of its own: ``DeferredChain/appendStage(_:_:)`` does, so that its
    /// inlined code needs only the chain's address, not the queue's as well (computed on every
    /// call, queued or not, to pass `self` to an out-of-line ``makeRoom()``).
    @inlinable @inline(__always)
    mutating func pushAssumingRoom<P>(_ payload: __owned P, _ runner: @escaping StageRunner) {
        // A constant check once specialized.
        precondition(
            MemoryLayout<P>.size <= Self.payloadCapacity && MemoryLayout<P>.alignment <= Self.payloadAlignment)
        assert(hasRoom, "a stage record was pushed into a full queue")
        let index = end
        end = index + 1
        withRecord(index) { record in
            _ = record.initializeMemory(as: StageRunner.self, to: runner)
            _ = (record + Self.runnerBytes).initializeMemory(as: P.self, to: payload)
        }
    }

    /// Removes the first record (the queue must not be empty): moves its ``payloadCapacity``
    /// bytes of payload, bitwise, to `payload` (uninitialized, ``payloadAlignment``-aligned), and
    /// returns its runner. The caller then owns both; the record's place is free at once, so
    /// the runner may push (or the queue move) while it runs.
    @inlinable @inline(__always)
    mutating func popFirst(movingPayloadTo payload: UnsafeMutableRawPointer) -> StageRunner {
        let index = head
        if index + 1 == end {
            head = 0
            end = 0
        } else {
            head = index + 1
        }
        let runner = withRecord(index) { record -> StageRunner in
            payload.copyMemory(from: record + Self.runnerBytes, byteCount: Self.payloadCapacity)
            return record.assumingMemoryBound(to: StageRunner.self).move()
        }
        if end == 0, overflowCapacity > Self.retainedOverflowCapacity { releaseOverflow() }
        return runner
    }

    /// Makes room for one more record at ``end``: moves the pending records to the front when at
    /// most half of the room is pending (most records have been popped), otherwise grows the
    /// overflow buffer (to ``firstOverflowCapacity``, then doubling). Always inlined into its
    /// callers in this module (the one that matters is ``DeferredChain/makeRoomForStage()``,
    /// itself out of line), so making room costs one call, not two.
    @usableFromInline @inline(__always)
    mutating func makeRoom() {
        let room = capacity
        let pending = end - head
        if head > 0, pending <= room / 2 {
            for offset in 0..<pending {
                withUnsafeTemporaryAllocation(byteCount: Self.recordStride, alignment: Self.payloadAlignment) { record in
                    withRecord(head + offset) {
                        record.baseAddress!.copyMemory(from: $0, byteCount: Self.recordStride)
                    }
                    withRecord(offset) { $0.copyMemory(from: record.baseAddress!, byteCount: Self.recordStride) }
                }
            }
            head = 0
            end = pending
            return
        }
        // `realloc` grows in place when it can, and moves a large buffer by remapping its pages
        // instead of copying them.
        let grown = overflowCapacity == 0 ? Self.firstOverflowCapacity : overflowCapacity * 2
        guard let buffer = realloc(overflow, grown * Self.recordStride) else {
            fatalError("out of memory for \(grown) queued Deferred stages")
        }
        overflow = buffer
        overflowCapacity = grown
    }

    /// Frees the overflow buffer (no pending record may be in it).
    @usableFromInline
    mutating func releaseOverflow() {
        assert(end <= Self.inlineCapacity, "the overflow buffer was freed with records in it")
        free(overflow)
        overflow = nil
        overflowCapacity = 0
    }
}
