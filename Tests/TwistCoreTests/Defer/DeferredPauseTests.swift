import Testing
import TwistCore

@Suite("pause and unpause")
struct DeferredPauseTests {
    @Test func pausedDeferredRunsNothingUntilEveryPauseIsUndone() throws {
        let d = Deferred<Int>()
        var got: [Int] = []
        d.pause()
        d.pause()
        try d.callback(1)
        _ = d.addCallback { got.append($0) }
        #expect(got.isEmpty)
        d.unpause()
        #expect(got.isEmpty)
        d.unpause()
        #expect(got == [1])
    }

    @Test func unpauseBeforeFiringRunsCallbacksWhenItFires() throws {
        let d = Deferred<Int>()
        var got: Int?
        d.pause()
        _ = d.addCallback { got = $0 }
        d.unpause()
        #expect(got == nil)
        try d.callback(2)
        #expect(got == 2)
    }

    @Test func pausedFailureIsDeliveredOnUnpause() {
        let d: Deferred<Int> = fail(TestError(code: 5))
        d.pause()
        var caught: Failure?
        d.addErrback { failure in
            caught = failure
            return 0
        }
        #expect(caught == nil)
        d.unpause()
        #expect(caught?.check(TestError.self)?.code == 5)
    }
}
