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
}
