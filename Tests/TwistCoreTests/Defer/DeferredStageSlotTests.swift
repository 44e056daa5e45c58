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

/// The first few stages queued on a chain live in inline slots of the chain, the rest in nodes
/// behind them; these tests cross that boundary in every direction.
@Suite("Deferred stages queued inline and as nodes")
struct DeferredStageSlotTests {
    @Test(arguments: [1, 3, 4, 5, 9, 40])
    func queuedStagesRunInOrderWhateverTheirNumber(count: Int) throws {
        let d = Deferred<Int>()
        var seen: [Int] = []
        for index in 0..<count {
            d.addCallback { value -> Int in
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
        d.addCallback { value -> Int in
            seen.append("first")
            d.addCallback { value -> Int in
                seen.append("added while running")
                return value
            }
            return value
        }
        d.addCallback { value -> Int in
            seen.append("second")
            return value
        }
        d.addCallback { value -> Int in
            seen.append("third")
            return value
        }
        try d.callback(1)
        #expect(seen == ["first", "second", "third", "added while running"])
    }

    @Test func aStageAddedByTheLastSlotStageTakesAFreedSlotAndRuns() throws {
        let d = Deferred<Int>()
        var seen: [Int] = []
        d.addCallback { value -> Int in
            seen.append(value)
            d.addCallback { value -> Int in
                seen.append(value * 10)
                d.addCallback { value -> Int in
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
            d.addCallback { value -> Int in
                seen.append(index)
                if index == 4 {
                    // Slots are free again by now, but a node is still queued: this goes last.
                    d.addCallback { value -> Int in
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
                d.addCallback { value -> Int in
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
            d.addCallback { value -> Int in
                _ = probe
                return value
            }
        }
        #expect(released == 0)
        try d.callback(1)
        #expect(released == 1)
    }
}
