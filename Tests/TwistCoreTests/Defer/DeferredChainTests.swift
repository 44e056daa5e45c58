import Testing
import TwistCore

@Suite("Deferred chain order, results and firing")
struct DeferredChainTests {
    @Test func callbacksRunInOrderAndEachGetsThePreviousResult() throws {
        let d = Deferred<Int>()
        var seen: [String] = []
        let end = d.addCallback { value -> Int in
            seen.append("first \(value)")
            return value + 1
        }.addCallback { value -> String in
            seen.append("second \(value)")
            return "v\(value)"
        }
        #expect(seen.isEmpty)
        try d.callback(1)
        #expect(seen == ["first 1", "second 2"])
        #expect(end.successValue == "v2")
    }

    @Test func callbackAddedToAFiredDeferredRunsBeforeAddReturns() {
        let d = succeed(5)
        var ran = false
        _ = d.addCallback { value in
            ran = true
            #expect(value == 5)
        }
        #expect(ran)
    }

    @Test func firedDeferredWithoutCallbacksKeepsItsResultForLaterCallbacks() throws {
        let d = Deferred<String>()
        try d.callback("kept")
        #expect(d.successValue == "kept")
        #expect(d.addCallback { $0.count }.successValue == 4)
    }

    @Test func errorThrownByCallbackSkipsTheErrbackOfTheSamePair() throws {
        let d = Deferred<Int>()
        var samePairErrbackRan = false
        var nextErrbackGot: Failure?
        d.addCallbacks({ _ -> Int in throw TestError(code: 1) }, { _ in
            samePairErrbackRan = true
            return 0
        }).addErrback { failure in
            nextErrbackGot = failure
            return -1
        }
        try d.callback(1)
        #expect(!samePairErrbackRan)
        #expect(nextErrbackGot?.check(TestError.self) == TestError(code: 1))
    }

    @Test func addErrbackPassesValuesThroughAndAddCallbackPassesFailuresThrough() throws {
        let good = Deferred<Int>()
        var errbackRan = false
        let goodEnd = good.addErrback { _ in
            errbackRan = true
            return 0
        }
        try good.callback(3)
        #expect(!errbackRan)
        #expect(goodEnd.successValue == 3)

        let bad = Deferred<Int>()
        var callbackRan = false
        let badEnd = bad.addCallback { _ in callbackRan = true }
        try bad.errback(TestError())
        #expect(!callbackRan)
        #expect(badEnd.failure?.check(TestError.self) != nil)
        badEnd.swallow()
    }

    @Test func callbackAddedByARunningCallbackRunsAfterIt() throws {
        let d = Deferred<Int>()
        var order: [String] = []
        var inner: Deferred<Int>?
        let handle = d.addCallback { value -> Int in
            order.append("outer")
            _ = inner?.addCallback { value -> Int in
                order.append("added while running got \(value)")
                return value
            }
            order.append("outer done")
            return value * 10
        }
        inner = handle
        try d.callback(1)
        #expect(order == ["outer", "outer done", "added while running got 10"])
    }

    @Test func callbackAddedByARunningCallbackThatThrowsFailsTheNextErrback() throws {
        let d = Deferred<Int>()
        var later: Deferred<Int>?
        var caught: Failure?
        later = d.addCallback { value in
            later?.addCallback { _ -> Int in throw TestError(code: 7) }.addErrback { failure in
                caught = failure
                return 0
            }
            return value
        }
        try d.callback(1)
        #expect(caught?.check(TestError.self)?.code == 7)
    }

    @Test func thrownErrorBecomesAFailureForTheNextErrback() throws {
        let d = Deferred<Int>()
        var got: Failure?
        d.addCallback { _ -> Int in throw TestError(code: 3) }
            .addCallback { $0 + 1 }
            .addErrback { failure in
                got = failure
                return 0
            }
        try d.callback(1)
        #expect(got?.check(TestError.self) == TestError(code: 3))
    }

    @Test func errbackReturningAValueSwitchesTheChainBackToSuccess() throws {
        let d = Deferred<Int>()
        let end = d.addErrback { _ in 42 }.addCallback { $0 + 1 }
        try d.errback(TestError())
        #expect(end.successValue == 43)
    }

    @Test func errbackThatRethrowsOrTrapsAnotherTypeKeepsTheChainFailing() throws {
        let d = Deferred<Int>()
        var secondGot: Failure?
        d.addErrback { failure -> Int in
            try failure.trap(OtherError.self)
            return 0
        }
            .addErrback { failure in throw failure }
            .addErrback { failure in
                secondGot = failure
                return 0
            }
        try d.errback(TestError(code: 9))
        #expect(secondGot?.check(TestError.self) == TestError(code: 9))
    }

    @Test func errbackWithAFailureUsesThatFailureUnchanged() throws {
        let d = Deferred<Int>()
        let original = Failure(TestError(code: 4))
        try d.errback(original)
        #expect(d.failure?.line == original.line)
        #expect(d.failure?.check(TestError.self)?.code == 4)
        d.swallow()
    }

    @Test(arguments: ["callback-callback", "callback-errback", "errback-callback", "errback-errback"])
    func firingTwiceThrowsAlreadyCalledAndLeavesTheChainAlone(_ order: String) throws {
        let d = Deferred<Int>()
        let fires = order.split(separator: "-")
        if fires[0] == "callback" { try d.callback(1) } else { try d.errback(TestError(code: 1)) }
        #expect(throws: AlreadyCalledError.self) {
            if fires[1] == "callback" { try d.callback(2) } else { try d.errback(TestError(code: 2)) }
        }
        if fires[0] == "callback" {
            #expect(d.successValue == 1)
        } else {
            #expect(d.failure?.check(TestError.self)?.code == 1)
        }
        d.swallow()
    }

    @Test func hasFiredStaysTrueWhilePausedOrWaiting() throws {
        let d = Deferred<Int>()
        #expect(!d.hasFired)
        d.pause()
        try d.callback(1)
        #expect(d.hasFired && d.isPaused)
        d.unpause()
        let inner = Deferred<Int>()
        _ = d.addCallback { _ in inner }
        #expect(d.hasFired && d.isWaiting)
        try inner.callback(2)
        #expect(!d.isWaiting)
    }

    @Test func everyHandleViewsTheSameChain() {
        let d = Deferred<Int>()
        let s = d.addCallback { "\($0)" }
        #expect(d.isSame(as: s))
        #expect(!d.isSame(as: Deferred<Int>()))
    }

    @Test func descriptionShowsTheState() throws {
        let d = Deferred<Int>()
        #expect(d.description == "Deferred<Int>")
        try d.callback(3)
        #expect(d.description == "Deferred<Int> (current result: 3)")
        let waiting = d.addCallback { _ in Deferred<Int>() }
        #expect(waiting.description.contains("waiting on another Deferred"))
    }

    @Test func callbackWithADeferredAsItsValueIsRejected() async {
        await #expect(processExitsWith: .failure) {
            let d = Deferred<Deferred<Int>>()
            try? d.callback(Deferred<Int>())
        }
    }

    @Test func handleUsedAfterTheChainsTypeMovedOnTrapsWithAClearMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let d = Deferred<Int>()
            _ = d.addCallback { String($0) }
            _ = d.addCallback { $0 + 1 }  // `d` is a Deferred<Int>, but the chain now holds a String
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Deferred<Int>.addCallback used on a chain whose result type is now String"))
    }

    @Test func firingAHandleOfAnotherTypeThanTheInputTraps() async {
        await #expect(processExitsWith: .failure) {
            let d = Deferred<Int>()
            let s = d.addCallback { String($0) }
            try? s.callback("not the input type")
        }
    }

    @Test func firingThroughTheInputHandleWorksAfterTheTypeMovedOn() throws {
        let d = Deferred<Int>()
        let s = d.addCallback { String($0) }
        try d.callback(8)
        #expect(s.successValue == "8")
    }
}
