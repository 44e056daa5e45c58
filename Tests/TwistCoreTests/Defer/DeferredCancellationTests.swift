import Testing
import TwistCore

@Suite("cancel() and cancellers")
struct DeferredCancellationTests {
    @Test func cancelWithoutACancellerErrbacksWithCancelledErrorAndSkipsCallbacks() {
        let d = Deferred<Int>()
        var callbackRan = false
        var caught: Failure?
        d.addCallback { _ in callbackRan = true }.addErrback { caught = $0 }
        d.cancel()
        #expect(!callbackRan)
        #expect(caught?.check(CancelledError.self) != nil)
    }

    @Test func cancelCallsTheCancellerOnceWithTheDeferredThenDeliversCancelledError() {
        var calls = 0
        var given: Deferred<Int>?
        let d = Deferred<Int> { deferred in
            calls += 1
            given = deferred
        }
        d.cancel()
        d.cancel()
        #expect(calls == 1)
        #expect(given.map { $0.isSame(as: d) } == true)
        #expect(d.failure?.check(CancelledError.self) != nil)
        d.swallow()
    }

    @Test func cancellerMayFireTheDeferredWithAValueOrAnotherError() {
        let withValue = Deferred<Int> { try? $0.callback(9) }
        withValue.cancel()
        #expect(withValue.successValue == 9)

        let withError = Deferred<Int> { try? $0.errback(TestError(code: 3)) }
        withError.cancel()
        #expect(withError.failure?.check(TestError.self)?.code == 3)
        #expect(withError.failure?.check(CancelledError.self) == nil)
        withError.swallow()
    }

    @Test func afterCancelWithoutACancellerOneLateFireIsSwallowedAndASecondThrows() throws {
        for lateFire in ["callback", "errback"] {
            let d = Deferred<Int>()
            d.cancel()
            if lateFire == "callback" { try d.callback(1) } else { try d.errback(TestError()) }
            #expect(throws: AlreadyCalledError.self) { try d.callback(2) }
            #expect(d.failure?.check(CancelledError.self) != nil)
            d.swallow()
        }
    }

    @Test func afterCancelWithACancellerALateFireThrows() {
        let d = Deferred<Int> { _ in }
        d.cancel()
        #expect(throws: AlreadyCalledError.self) { try d.callback(1) }
        d.swallow()
    }

    @Test func cancelAfterFiringDoesNothing() throws {
        var cancellerCalls = 0
        let d = Deferred<Int> { _ in cancellerCalls += 1 }
        try d.callback(4)
        d.cancel()
        d.cancel()
        #expect(cancellerCalls == 0)
        #expect(d.successValue == 4)

        let failed: Deferred<Int> = fail(TestError(code: 1))
        failed.cancel()
        #expect(failed.failure?.check(TestError.self)?.code == 1)
        failed.swallow()
    }

    @Test func cancellingAChainWaitingOnAnInnerDeferredCancelsTheInnerOne() throws {
        var outerCancellerCalls = 0
        var innerCancellerCalls = 0
        let outer = Deferred<Int> { _ in outerCancellerCalls += 1 }
        let inner = Deferred<Int> { _ in innerCancellerCalls += 1 }
        var caught: Failure?
        let end = outer.addCallback { _ in inner }.addErrback { failure in
            caught = failure
            return -1
        }
        try outer.callback(0)
        end.cancel()
        #expect(outerCancellerCalls == 0)
        #expect(innerCancellerCalls == 1)
        #expect(caught?.check(CancelledError.self) != nil)
        #expect(end.successValue == -1)
    }

    @Test func cancellerIsReleasedWhenTheDeferredFires() throws {
        final class Resource {}
        weak var weakResource: Resource?
        let d: Deferred<Int>
        do {
            let resource = Resource()
            weakResource = resource
            d = Deferred<Int> { _ in _ = resource }
        }
        #expect(weakResource != nil)
        try d.callback(1)
        #expect(weakResource == nil)
    }
}
