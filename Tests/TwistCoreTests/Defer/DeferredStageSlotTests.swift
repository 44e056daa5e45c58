import Testing
import TwistCore

/// A class whose instances report their release, to see that queued closures are freed.
private final class ReleaseProbe {
    let onRelease: () -> Void

    init(onRelease: @escaping () -> Void) {
        self.onRelease = onRelease
    }

    deinit { onRelease() }
}

/// The first few stages queued on a chain live in inline records of the chain, the rest in a
/// growable buffer behind them that is compacted when most of it has run; these tests cross those
/// boundaries in every direction.
@Suite("Deferred stages queued inline and in the overflow buffer")
struct DeferredStageSlotTests {
    @Test(arguments: [1, 3, 4, 5, 9, 40])
    func queuedStagesRunInOrderWhateverTheirNumber(count: Int) throws {
        let d = Deferred<Int>()
        var seen: [Int] = []
        for index in 0..<count {
            _ = d.addCallback { value -> Int in
                seen.append(index)
                return value + 1
            }
        }
        try d.callback(0)
        #expect(seen == Array(0..<count))
        #expect(d.successValue == count)
    }

    @Test func everyKindOfStageRunsFromASlot() throws {
        let d = Deferred<Int>()
        let inner = Deferred<Int>()
        var observed: [String] = []
        let end = d.addCallback { $0 + 1 }
            .addCallbacks({ (value: Int) -> String in "v\(value)" }, { _ in "failed" })
            .addBoth { (result: Result<String, Failure>) -> String in
                observed.append("both \((try? result.get()) ?? "?")")
                return "b"
            }
            .addCallback { (_: String) in inner }
            .addErrback { _ in -1 }
        try d.callback(1)
        #expect(observed == ["both v2"])
        #expect(end.isWaiting)
        try inner.callback(9)
        #expect(end.successValue == 9)
    }

    @Test func aStageAddedByARunningSlotStageRunsAfterTheQueuedOnes() throws {
        let d = Deferred<Int>()
        var seen: [String] = []
        // The first stage (a slot) adds one more while running: it must go after the two queued
        // behind it, whether it lands in a freed slot or behind the others.
        _ = d.addCallback { value -> Int in
            seen.append("first")
            _ = d.addCallback { value -> Int in
                seen.append("added while running")
                return value
            }
            return value
        }
        _ = d.addCallback { value -> Int in
            seen.append("second")
            return value
        }
        _ = d.addCallback { value -> Int in
            seen.append("third")
            return value
        }
        try d.callback(1)
        #expect(seen == ["first", "second", "third", "added while running"])
    }

    @Test func aStageAddedByTheLastSlotStageTakesAFreedSlotAndRuns() throws {
        let d = Deferred<Int>()
        var seen: [Int] = []
        _ = d.addCallback { value -> Int in
            seen.append(value)
            _ = d.addCallback { value -> Int in
                seen.append(value * 10)
                _ = d.addCallback { value -> Int in
                    seen.append(value * 100)
                    return value
                }
                return value
            }
            return value
        }
        try d.callback(1)
        #expect(seen == [1, 10, 100])
    }

    @Test func stagesAddedWhileSlotsAndNodesArePendingKeepTheirOrder() throws {
        let d = Deferred<Int>()
        d.pause()
        try d.callback(0)
        var seen: [Int] = []
        for index in 0..<6 {
            _ = d.addCallback { value -> Int in
                seen.append(index)
                if index == 4 {
                    // Inline records are free again by now, but index 5 is still queued: this goes last.
                    _ = d.addCallback { value -> Int in
                        seen.append(99)
                        return value
                    }
                }
                return value
            }
        }
        #expect(seen.isEmpty)
        d.unpause()
        #expect(seen == [0, 1, 2, 3, 4, 5, 99])
    }

    @Test func closuresOfStagesThatNeverRanAreReleasedWithTheChain() {
        var released = 0
        do {
            let d = Deferred<Int>()
            for _ in 0..<6 {
                let probe = ReleaseProbe { released += 1 }
                _ = d.addCallback { value -> Int in
                    _ = probe
                    return value
                }
            }
            #expect(released == 0)
        }
        #expect(released == 6)
    }

    @Test func closuresOfSlotStagesAreReleasedOnceRun() throws {
        var released = 0
        let d = Deferred<Int>()
        do {
            let probe = ReleaseProbe { released += 1 }
            _ = d.addCallback { value -> Int in
                _ = probe
                return value
            }
        }
        #expect(released == 0)
        try d.callback(1)
        #expect(released == 1)
    }

    /// Stage `id` adds this many stages when it runs (a fixed function, so a model can predict it).
    private static func childCount(of id: Int, seed: Int) -> Int {
        var mixed = UInt64(truncatingIfNeeded: id &* 0x9E37_79B9 ^ seed &* 0x85EB_CA6B)
        mixed ^= mixed >> 13
        mixed = mixed &* 0xC2B2_AE35
        return Int(mixed % 3)
    }

    /// The order a FIFO queue runs the stages in: `initial` queued, each stage appending its
    /// children when it runs, until `limit` stages exist.
    private static func modelOrder(initial: Int, seed: Int, limit: Int) -> [Int] {
        var queue = Array(0..<initial)
        var next = initial
        var order: [Int] = []
        var position = 0
        while position < queue.count {
            let id = queue[position]
            position += 1
            order.append(id)
            for _ in 0..<childCount(of: id, seed: seed) where next < limit {
                queue.append(next)
                next += 1
            }
        }
        return order
    }

    @Test(arguments: [(0, 1), (1, 2), (4, 3), (5, 4), (17, 5), (40, 6), (300, 7)])
    func stagesAddedWhileRunningKeepQueueOrderAcrossGrowthAndCompaction(initial: Int, seed: Int) throws {
        let limit = 3_000
        let d = Deferred<Int>()
        var seen: [Int] = []
        var next = initial
        func stage(_ id: Int) -> (Int) -> Int {
            { value in
                seen.append(id)
                for _ in 0..<Self.childCount(of: id, seed: seed) where next < limit {
                    _ = d.addCallback(stage(next))
                    next += 1
                }
                return value + 1
            }
        }
        for id in 0..<initial { _ = d.addCallback(stage(id)) }
        try d.callback(0)
        let expected = Self.modelOrder(initial: initial, seed: seed, limit: limit)
        #expect(seen == expected)
        #expect(d.successValue == expected.count)
    }

    @Test func aChainThatRanManyStagesStillQueuesInOrderAfterwards() throws {
        let d = Deferred<Int>()
        for _ in 0..<10_000 { _ = d.addCallback { $0 + 1 } }
        try d.callback(0)
        #expect(d.successValue == 10_000)
        // The big buffer was given back when the queue emptied; queuing again starts afresh.
        d.pause()
        var seen: [Int] = []
        for index in 0..<20 {
            _ = d.addCallback { value -> Int in
                seen.append(index)
                return value + 1
            }
        }
        d.unpause()
        #expect(seen == Array(0..<20))
        #expect(d.successValue == 10_020)
    }

    @Test func closuresQueuedInTheOverflowBufferAreReleasedWhenRunOrDropped() throws {
        var released = 0
        let ran = Deferred<Int>()
        do {
            let dropped = Deferred<Int>()
            for _ in 0..<50 {
                let probe = ReleaseProbe { released += 1 }
                _ = ran.addCallback { value -> Int in
                    _ = probe
                    return value
                }
                let other = ReleaseProbe { released += 1 }
                _ = dropped.addCallback { value -> Int in
                    _ = other
                    return value
                }
            }
            #expect(released == 0)
        }
        #expect(released == 50)
        try ran.callback(1)
        #expect(released == 100)
    }
}
