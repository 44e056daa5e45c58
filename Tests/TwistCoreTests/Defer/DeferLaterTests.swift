import Testing
import TwistCore
import TwistTesting

@Suite("deferLater")
struct DeferLaterTests {
    @Test func firesWithTheBodysValueAfterTheDelay() throws {
        let clock = TestClock()
        let d = deferLater(clock, 2) { "done" }
        try clock.advance(1.5)
        #expect(!d.hasFired)
        try clock.advance(0.5)
        #expect(d.successValue == "done")
    }

    @Test func withoutABodyFiresWithVoid() throws {
        let clock = TestClock()
        let d = deferLater(clock, 1)
        try clock.advance(1)
        #expect(d.successValue != nil)
    }

    @Test func errorThrownByTheBodyFailsIt() throws {
        let clock = TestClock()
        let d = deferLater(clock, 1) { () throws -> Int in throw TestError(code: 6) }
        try clock.advance(1)
        #expect(d.failure?.check(TestError.self)?.code == 6)
        d.swallow()
    }

    @Test func cancellingRemovesTheCallAndTheBodyNeverRuns() throws {
        let clock = TestClock()
        var ran = false
        let d = deferLater(clock, 1) { ran = true }
        d.cancel()
        #expect(clock.pendingCalls.isEmpty)
        #expect(d.failure?.check(CancelledError.self) != nil)
        try clock.advance(5)
        #expect(!ran)
        d.swallow()
    }
}
