import Testing
import TwistCore
import TwistTesting

@Suite struct LogErrorTests {
    @Test func logErrorLogsTheFailureAndPassesItOnUnchanged() throws {
        let capture = LogCapture()
        let d = Deferred<Int>()
        var seen: Failure?
        DeferredLogging.$logger.withValue(capture.logger()) {
            d.addErrback(logError).addErrback { failure in
                seen = failure
                return 0
            }
            try? d.errback(TestError(code: 7))
        }
        #expect(seen?.check(TestError.self) == TestError(code: 7))
        let errors = capture.records.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("TestError") == true)
    }

    /// Twisted's test_logErrorLogsErrorNoRepr: the record is the failure's traceback text.
    @Test func logErrorLogsATracebackWithoutTheFailureRepr() throws {
        let capture = LogCapture()
        var line: UInt = 0
        let d = Deferred<Int>()
        d.addErrback { try logError($0, to: capture.logger()) }.addErrback { _ in 0 }
        line = #line; try d.errback(TestError(code: 3))
        let text = try #require(capture.records.first?.message)
        #expect(
            text == """
                Unhandled Error
                Traceback (most recent call last):
                  File "TwistCoreTests/LogErrorTests.swift", line \(line)
                TwistCoreTests.TestError: TestError(code: 3)
                """
        )
        #expect(!text.contains("Failure("))
    }
}
