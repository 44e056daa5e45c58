import Logging
import Testing
import TwistCore
import TwistTesting

@Suite("Unhandled failures are reported")
struct DeferredUnhandledErrorTests {
    @Test func unhandledFailureIsLoggedWhenTheLastHandleGoes() throws {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            try d.errback(TestError(code: 1))
            #expect(capture.records.isEmpty)
        }
        let records = capture.records
        #expect(records.count == 2)
        #expect(records.first?.level == .critical)
        #expect(records.first?.message == "Unhandled error in Deferred:")
        #expect(records.last?.message.contains("TestError") == true)
        // The failure's traceback text, not its `Failure(...)` form (the exact text, which depends
        // on the process-wide debugging switch, is checked in DeferredDebuggingTests).
        #expect(records.last?.message.contains("Failure(") == false)
    }

    @Test func failureThrownByALaterCallbackOfATemporaryIsLogged() throws {
        let capture = LogCapture()
        DeferredLogging.$logger.withValue(capture.logger()) {
            // The temporary goes at the end of this statement, inside the task-local's scope.
            _ = succeed(1).addCallback { _ -> Int in throw TestError(code: 2) }
        }
        #expect(capture.records.count == 2)
        #expect(capture.records.last?.message.contains("code: 2") == true)
    }

    @Test func handledFailureIsNotLogged() throws {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            d.addErrback { _ in 0 }
            try d.errback(TestError())
        }
        #expect(capture.records.isEmpty)
    }

    @Test func failureHandedToAnotherChainIsLoggedOnlyThere() throws {
        let capture = LogCapture()
        do {
            let inner = Deferred<Int>(logger: capture.logger())
            let outer = Deferred<Int>(logger: capture.logger())
            outer.addCallback { _ in inner }.addErrback { _ in 0 }
            try outer.callback(0)
            try inner.errback(TestError())
        }
        #expect(capture.records.isEmpty)

        do {
            let inner: Deferred<Int> = DeferredLogging.$logger.withValue(capture.logger()) { fail(TestError()) }
            let outer = Deferred<Int>(logger: capture.logger())
            outer.addCallback { _ in inner }.addErrback { _ in 0 }
            try outer.callback(0)
        }
        #expect(capture.records.isEmpty)
    }

    @Test func reportedFailureCarriesTheLocationWhereItWasMade() throws {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            try d.errback(TestError())
        }
        let location = capture.records.first?.metadata["failure.location"]?.description
        #expect(location?.hasPrefix("TwistCoreTests/DeferredUnhandledErrorTests.swift:") == true)
    }
}
