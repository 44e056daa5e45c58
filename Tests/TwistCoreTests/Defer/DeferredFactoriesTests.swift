import Testing
import TwistCore

@Suite("succeed, fail, maybeDeferred")
struct DeferredFactoriesTests {
    @Test func succeedIsAlreadyFiredLikeAManuallyFiredDeferred() throws {
        let manual = Deferred<Int>()
        try manual.callback(3)
        let made = succeed(3)
        #expect(made.hasFired == manual.hasFired)
        #expect(made.successValue == manual.successValue)
        #expect(made.description == manual.description)
    }

    @Test func failIsAlreadyFailedAndCanBePaused() {
        let d: Deferred<Int> = fail(TestError(code: 8))
        #expect(d.failure?.check(TestError.self)?.code == 8)
        d.pause()
        var caught = false
        d.addErrback { _ in
            caught = true
            return 0
        }
        #expect(!caught)
        d.unpause()
        #expect(caught)
    }

    @Test func maybeDeferredTurnsValuesAndErrorsIntoFiredDeferreds() {
        #expect(maybeDeferred { 5 }.successValue == 5)
        let failed = maybeDeferred { () throws -> Int in throw TestError(code: 1) }
        #expect(failed.failure?.check(TestError.self)?.code == 1)
        failed.swallow()
    }

    @Test func maybeDeferredKeepsAThrownFailureAsIs() {
        let original = Failure(TestError(code: 2))
        let d = maybeDeferred { () throws -> Int in throw original }
        #expect(d.failure?.line == original.line)
        d.swallow()
    }

    @Test func maybeDeferredGivesBackAReturnedDeferredItself() throws {
        let inner = Deferred<Int>()
        let d = maybeDeferred { inner }
        #expect(d.isSame(as: inner))
        try inner.callback(1)
        #expect(d.successValue == 1)
    }
}
