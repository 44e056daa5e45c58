import Testing

@testable import TwistCore
import TwistTestSupport

/// A payload the size of the largest stage payload (four words), whose words all carry the same
/// tag, so that a record moved or copied in part shows up as a torn payload.
private struct WidePayload: Equatable {
    var a, b, c, d: Int

    init(_ tag: Int) {
        (a, b, c, d) = (tag, ~tag, tag &* 31, tag &+ 7)
    }
}

/// How many ``Tracked`` instances of one test are alive.
private final class LiveCount {
    var value = 0
}

/// A class whose instances count themselves, to see that a payload moved through the queue is
/// neither leaked nor released twice.
private final class Tracked {
    let tag: Int
    let count: LiveCount

    init(_ tag: Int, _ count: LiveCount) {
        self.tag = tag
        self.count = count
        count.value += 1
    }

    deinit { count.value -= 1 }
}

/// A runner that is never called: the queue stores runners, it does not run them.
private func unusedRunner(_: Unmanaged<DeferredChain>, _: UnsafeMutableRawPointer, _: Bool) -> StageOutcome {
    .proceed
}

/// ``DeferredStageQueue`` against a plain `Array` used as a FIFO: same order, same count, under
/// seeded random pushes and pops that cross the inline/overflow boundary, the compaction and the
/// release of a large overflow buffer.
@Suite("DeferredStageQueue against a FIFO model")
struct DeferredStageQueueTests {
    /// Pops the first record, a `P`, and returns its payload (the runner is dropped).
    private func pop<P>(_ queue: inout DeferredStageQueue, as _: P.Type) -> P {
        withUnsafeTemporaryAllocation(
            byteCount: DeferredStageQueue.payloadCapacity, alignment: DeferredStageQueue.payloadAlignment
        ) { local in
            _ = queue.popFirst(movingPayloadTo: local.baseAddress!)
            return local.baseAddress!.assumingMemoryBound(to: P.self).move()
        }
    }

    @Test func layoutConstantsDescribeTheStorage() {
        DeferredStageQueue.assertLayout()
        #expect(MemoryLayout<StageRunner>.size == DeferredStageQueue.runnerBytes)
        #expect(
            MemoryLayout<InlineStageStorage>.size
                == DeferredStageQueue.inlineCapacity * DeferredStageQueue.recordStride)
        #expect(MemoryLayout<WidePayload>.size == DeferredStageQueue.payloadCapacity)
        let queue = DeferredStageQueue()
        #expect(queue.isEmpty && queue.count == 0)
        #expect(queue.capacity == DeferredStageQueue.inlineCapacity)
    }

    /// Random runs of pushes then pops, biased so the queue's length wanders from empty to past
    /// the first overflow buffer and back; each step is checked against the model.
    @Test(arguments: [1, 2, 3, 42, 2026, 0xDEF])
    func matchesAFIFOUnderRandomPushesAndPops(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        var queue = DeferredStageQueue()
        var model: [Int] = []
        var next = 0
        var sawOverflow = false
        var sawCompaction = false
        let ceiling = DeferredStageQueue.inlineCapacity + DeferredStageQueue.firstOverflowCapacity * 3
        for _ in 0..<2_000 {
            let pushing = model.isEmpty || (model.count < ceiling && Bool.random(using: &random))
            let burst = Int.random(in: 1...(pushing ? 12 : 9), using: &random)
            for _ in 0..<burst {
                if pushing {
                    let headBefore = queue.head
                    let full = queue.end == queue.capacity
                    queue.push(WidePayload(next), unusedRunner)
                    if full, headBefore > 0, queue.head == 0 { sawCompaction = true }
                    model.append(next)
                    next += 1
                } else if let expected = model.first {
                    model.removeFirst()
                    #expect(pop(&queue, as: WidePayload.self) == WidePayload(expected))
                }
                if queue.end > DeferredStageQueue.inlineCapacity { sawOverflow = true }
                #expect(queue.count == model.count)
                #expect(queue.isEmpty == model.isEmpty)
            }
        }
        while let expected = model.first {
            model.removeFirst()
            #expect(pop(&queue, as: WidePayload.self) == WidePayload(expected))
        }
        #expect(queue.isEmpty && queue.head == 0 && queue.end == 0)
        #expect(sawOverflow, "the run never went past the inline records")
        #expect(sawCompaction, "the run never compacted a full queue")
    }

    @Test func indicesReturnToZeroWhenTheQueueEmpties() {
        var queue = DeferredStageQueue()
        for tag in 0..<(DeferredStageQueue.inlineCapacity + 3) { queue.push(tag, unusedRunner) }
        for tag in 0..<(DeferredStageQueue.inlineCapacity + 3) { #expect(pop(&queue, as: Int.self) == tag) }
        #expect(queue.head == 0 && queue.end == 0)
        // The next push lands in the first inline record again.
        queue.push(99, unusedRunner)
        #expect(queue.head == 0 && queue.end == 1)
        #expect(pop(&queue, as: Int.self) == 99)
    }

    @Test func aLargeOverflowBufferIsFreedOnceEmptyAndASmallOneIsKept() {
        var queue = DeferredStageQueue()
        let small = DeferredStageQueue.inlineCapacity + DeferredStageQueue.firstOverflowCapacity
        for tag in 0..<small { queue.push(tag, unusedRunner) }
        for tag in 0..<small { #expect(pop(&queue, as: Int.self) == tag) }
        #expect(queue.overflowCapacity == DeferredStageQueue.firstOverflowCapacity)
        let large = DeferredStageQueue.inlineCapacity + DeferredStageQueue.retainedOverflowCapacity + 1
        for tag in 0..<large { queue.push(tag, unusedRunner) }
        #expect(queue.overflowCapacity > DeferredStageQueue.retainedOverflowCapacity)
        for tag in 0..<large { #expect(pop(&queue, as: Int.self) == tag) }
        #expect(queue.overflow == nil && queue.overflowCapacity == 0)
    }

    /// Reference payloads moved through pushes, compactions, growth and pops are each released
    /// exactly once, by whoever popped them.
    @Test(arguments: [7, 77])
    func referencePayloadsAreMovedNotCopied(seed: UInt64) {
        let live = LiveCount()
        do {
            var random = SeededGenerator(state: seed)
            var queue = DeferredStageQueue()
            var model: [Int] = []
            for tag in 0..<3_000 {
                queue.push(Tracked(tag, live), unusedRunner)
                model.append(tag)
                if Int.random(in: 0..<3, using: &random) != 0 {
                    let expected = model.removeFirst()
                    #expect(pop(&queue, as: Tracked.self).tag == expected)
                }
            }
            #expect(live.value == model.count)
            for expected in model { #expect(pop(&queue, as: Tracked.self).tag == expected) }
        }
        #expect(live.value == 0)
    }
}
