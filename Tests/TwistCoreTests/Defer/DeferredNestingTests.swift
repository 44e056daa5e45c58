import Testing
import TwistCore
import TwistTestSupport

@Suite("Deferreds returned from callbacks (chaining) and stack depth")
struct DeferredNestingTests {
    @Test func callbackReturningAnUnfiredDeferredPausesTheOuterChainUntilItFires() throws {
        let outer = Deferred<Int>()
        let inner = Deferred<String>()
        var afterInner: String?
        _ = outer.addCallback { _ in inner }.addCallback { afterInner = $0 }
        try outer.callback(1)
        #expect(afterInner == nil)
        #expect(outer.isWaiting)
        try inner.callback("inner value")
        #expect(afterInner == "inner value")
    }

    @Test func errbackReturningADeferredContinuesWithItsResult() throws {
        let outer = Deferred<Int>()
        let inner = Deferred<Int>()
        var got: Int?
        _ = outer.addErrback { _ in inner }.addCallback { got = $0 }
        try outer.errback(TestError())
        #expect(got == nil)
        try inner.callback(5)
        #expect(got == 5)
    }

    @Test func innerFailureFlowsIntoTheOuterChain() throws {
        let outer = Deferred<Int>()
        let inner = Deferred<Int>()
        var caught: Failure?
        outer.addCallback { _ in inner }.addErrback { failure in
            caught = failure
            return 0
        }
        try outer.callback(1)
        try inner.errback(TestError(code: 2))
        #expect(caught?.check(TestError.self)?.code == 2)
    }

    @Test func alreadyFiredInnerDeferredIsTakenOverSynchronously() throws {
        let outer = Deferred<Int>()
        let end = outer.addCallback { succeed($0 * 2) }
        try outer.callback(21)
        #expect(end.successValue == 42)
        #expect(!outer.isWaiting)
    }

    @Test func innerKeepsItsValueAfterHandingItOver() throws {
        // Twist: a typed chain cannot become `None` (Twisted item 24); the inner keeps its value,
        // and callbacks added to it later still get that value.
        let inner = Deferred<Int>()
        let outer = Deferred<Int>()
        _ = outer.addCallback { _ in inner }
        try outer.callback(0)
        try inner.callback(7)
        #expect(inner.addCallback { $0 + 1 }.successValue == 8)
    }

    @Test func pausedInnerDeferredWithAResultMakesTheOuterWaitForUnpause() throws {
        let inner = succeed(3)
        inner.pause()
        let outer = Deferred<Int>()
        var got: Int?
        _ = outer.addCallback { _ in inner }.addCallback { got = $0 }
        try outer.callback(0)
        #expect(got == nil)
        inner.unpause()
        #expect(got == 3)
    }

    @Test func pausedOuterDoesNotStopTheInnerFromRunningItsCallbacks() throws {
        let outer = Deferred<Int>()
        let inner = Deferred<Int>()
        var innerRan = false
        var outerGot: Int?
        _ = inner.addCallback { value -> Int in
            innerRan = true
            return value + 1
        }
        _ = outer.addCallback { _ in inner }.addCallback { outerGot = $0 }
        try outer.callback(0)
        outer.pause()
        try inner.callback(1)
        #expect(innerRan)
        #expect(outerGot == nil)
        outer.unpause()
        #expect(outerGot == 2)
    }

    @Test func chainingIsTransitive() throws {
        let a = Deferred<Int>()
        let b = Deferred<Int>()
        let c = Deferred<Int>()
        var got: Int?
        _ = a.addCallback { _ in b }.addCallback { got = $0 }
        _ = b.addCallback { _ in c }
        try a.callback(0)
        try b.callback(0)
        #expect(got == nil)
        try c.callback(9)
        #expect(got == 9)
    }

    @Test func innerCallbacksRunBeforeTheOuterContinuesAndOuterCallbacksAddedLaterRunLast() throws {
        var order: [String] = []
        let outer = Deferred<Int>()
        let inner = Deferred<Int>()
        _ = inner.addCallback { value -> Int in
            order.append("inner callback")
            return value * 10
        }
        let waiting = outer.addCallback { _ in inner }
        _ = waiting.addCallback { value -> Int in
            order.append("outer callback got \(value)")
            return value
        }.addCallback { _ in order.append("outer callback added later") }
        try outer.callback(0)
        try inner.callback(4)
        #expect(order == ["inner callback", "outer callback got 40", "outer callback added later"])
    }

    @Test func callbackReturningItsOwnDeferredFailsTheChainInsteadOfHanging() throws {
        let d = Deferred<Int>()
        var me: Deferred<Int>?
        var caught: Failure?
        let handle = d.addCallback { _ in me! }
        me = handle
        handle.addErrback { failure in
            caught = failure
            return 0
        }
        try d.callback(1)
        #expect(caught?.check(DeferredCycleError.self) != nil)
        me = nil
    }

    @Test func hundredThousandNestedDeferredsCompleteWithoutGrowingTheStack() async {
        let result = Shared<Int?>(nil)
        await onOwnThread(stackSize: 8 << 20) {
            let depth = 100_000
            let inners = (0..<depth).map { _ in Deferred<Int>() }
            let root = Deferred<Int>()
            let end = root.addCallback { _ in inners[0] }.addCallback { $0 + 1 }
            for index in 0..<(depth - 1) {
                _ = inners[index].addCallback { _ in inners[index + 1] }
            }
            try! root.callback(0)
            for index in 0..<(depth - 1) { try! inners[index].callback(index) }
            // Every Deferred now waits on the next; firing the deepest resumes them all.
            try! inners[depth - 1].callback(41)
            result.value = end.successValue
        }
        #expect(result.value == 42)
    }

    @Test func hundredThousandAlreadyFiredReturnedDeferredsComplete() async {
        let result = Shared<Int?>(nil)
        await onOwnThread(stackSize: 8 << 20) {
            let root = Deferred<Int>()
            var end = root
            for _ in 0..<100_000 { end = end.addCallback { succeed($0 + 1) } }
            try! root.callback(0)
            result.value = end.successValue
        }
        #expect(result.value == 100_000)
    }

    @Test func millionStageChainCompletesAddedBeforeAndAfterFiring() async {
        let results = Shared<[Int?]>([])
        await onOwnThread(stackSize: 8 << 20) {
            let root = Deferred<Int>()
            var end = root
            for _ in 0..<1_000_000 { end = end.addCallback { $0 + 1 } }
            try! root.callback(0)
            var fired = succeed(0)
            for _ in 0..<1_000_000 { fired = fired.addCallback { $0 + 1 } }
            results.value = [end.successValue, fired.successValue]
        }
        #expect(results.value == [1_000_000, 1_000_000])
    }

    @Test func droppingAnUnfiredMillionStageChainDoesNotOverflowTheStack() async {
        let done = Shared(false)
        await onOwnThread(stackSize: 8 << 20) {
            do {
                var end = Deferred<Int>()
                for _ in 0..<1_000_000 { end = end.addCallback { $0 + 1 } }
            }
            done.value = true
        }
        #expect(done.value)
    }
}

@Suite("chainDeferred and where a list attaches")
struct DeferredExplicitChainTests {
    @Test func chainDeferredForwardsValuesAndFailuresToTheOtherDeferred() throws {
        let source = Deferred<Int>()
        let target = Deferred<Int>()
        let sourceEnd = source.chainDeferred(target)
        try source.callback(3)
        #expect(target.successValue == 3)
        #expect(sourceEnd.successValue != nil)

        let failing = Deferred<Int>()
        let failTarget = Deferred<Int>()
        failing.chainDeferred(failTarget)
        try failing.errback(TestError(code: 5))
        #expect(failTarget.failure?.check(TestError.self)?.code == 5)
        failTarget.swallow()
    }

    @Test func firingTheTargetFirstDoesNotAffectTheSource() throws {
        let source = Deferred<Int>()
        let target = Deferred<Int>()
        try target.callback(1)
        let end = source.chainDeferred(target)
        try source.callback(2)
        #expect(end.failure?.check(AlreadyCalledError.self) != nil)
        end.swallow()
    }

    @Test func listSeesStagesAddedBeforeItAndLaterStagesSeeTheInputsResult() throws {
        let input = Deferred<Int>()
        let shaped = input.addCallback { $0 * 10 }
        let list = DeferredList.all([shaped])
        let after = shaped.addCallback { $0 + 1 }
        try input.callback(2)
        #expect((try? list.successValue?.first?.get()) == 20)
        #expect(after.successValue == 21)
    }
}
