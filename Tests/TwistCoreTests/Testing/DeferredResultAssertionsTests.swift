import Logging
import Testing
import TwistCore
import TwistTesting

/// Spec §7 (items 74–76): `successResultOf`, `failureResultOf` and `assertNoResult` record an
/// issue at the caller's line instead of trapping, and consume a failure they find.
@Suite("Result helpers for Swift Testing (successResultOf, failureResultOf, assertNoResult)")
struct DeferredResultAssertionsTests {
    /// Runs `body` expecting exactly one issue, recorded at `line` of this file, whose comment
    /// contains every one of `fragments`. An issue elsewhere, or none, fails the test.
    private func expectIssue(
        atLine line: Int, containing fragments: [String], _ body: () -> Void
    ) {
        withKnownIssue {
            body()
        } matching: { issue in
            let text = issue.comments.map(\.rawValue).joined(separator: "\n")
            return issue.sourceLocation?.line == line
                && issue.sourceLocation?.fileName == "DeferredResultAssertionsTests.swift"
                && fragments.allSatisfy { text.contains($0) }
        }
    }

    // MARK: successResultOf (item 74)

    @Test func successResultOfReturnsTheValue() {
        #expect(successResultOf(succeed(7)) == 7)
    }

    @Test func successResultOfWithoutResultRecordsAnIssueAtTheCaller() {
        let d = Deferred<Int>()
        expectIssue(atLine: #line + 1, containing: ["found no result"]) {
            #expect(successResultOf(d) == nil)
        }
        // Nothing was added: a later result flows on.
        var seen: Int?
        _ = d.addCallback { seen = $0 }
        try? d.callback(3)
        #expect(seen == 3)
    }

    @Test func successResultOfWhileWaitingOnAnInnerDeferredFindsNoResult() {
        let inner = Deferred<Int>()
        let d = succeed(1).addCallback { _ in inner }
        expectIssue(atLine: #line, containing: ["found no result"]) { _ = successResultOf(d) }
        try? inner.callback(2)
        #expect(successResultOf(d) == 2)
    }

    @Test func successResultOfWhilePausedFindsNoResult() {
        let d = succeed(1)
        d.pause()
        expectIssue(atLine: #line, containing: ["found no result"]) { _ = successResultOf(d) }
        d.unpause()
        #expect(successResultOf(d) == 1)
    }

    @Test func successResultOfWithFailureNamesItAndConsumesIt() {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            try? d.errback(TestError(code: 9))
            let madeAt = "DeferredResultAssertionsTests.swift:\(#line - 1)"
            expectIssue(atLine: #line + 1, containing: ["found a failure", "TestError", "code: 9", madeAt]) {
                _ = successResultOf(d)
            }
        }
        // The failure was shown in the issue; it is not reported again as unhandled.
        #expect(capture.records.isEmpty)
    }

    // MARK: failureResultOf (item 75)

    @Test func failureResultOfReturnsTheFailureAndConsumesIt() {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            try? d.errback(TestError(code: 4))
            let failure = failureResultOf(d)
            #expect(failure?.check(TestError.self) == TestError(code: 4))
        }
        #expect(capture.records.isEmpty)
    }

    @Test func failureResultOfWithAMatchingTypeReturnsIt() {
        let d: Deferred<Int> = fail(TestError(code: 5))
        #expect(failureResultOf(d, OtherError.self, TestError.self)?.check(TestError.self) == TestError(code: 5))
        let e: Deferred<Int> = fail(TestError(code: 6))
        #expect(failureResultOf(e, as: TestError.self) == TestError(code: 6))
    }

    @Test func failureResultOfWithoutResultRecordsAnIssue() {
        let d = Deferred<String>()
        expectIssue(atLine: #line, containing: ["found no result"]) { #expect(failureResultOf(d) == nil) }
        #expect(!d.hasFired)
    }

    @Test func failureResultOfWithSuccessRecordsAnIssueNamingTheValue() {
        let d = succeed("poem")
        expectIssue(atLine: #line, containing: ["expected a failure result", "poem"]) { _ = failureResultOf(d) }
        // The success stays.
        #expect(successResultOf(d) == "poem")
    }

    @Test func failureResultOfWithWrongFailureNamesTheExpectedTypesAndConsumesIt() {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            try? d.errback(TestError(code: 1))
            expectIssue(atLine: #line + 1, containing: ["OtherError or", "CancelledError", "found", "TestError"]) {
                #expect(failureResultOf(d, OtherError.self, CancelledError.self) == nil)
            }
        }
        #expect(capture.records.isEmpty)
    }

    @Test func failureResultOfAsAWrongTypeRecordsAnIssue() {
        let d: Deferred<Int> = fail(TestError(code: 1))
        expectIssue(atLine: #line, containing: ["OtherError"]) { #expect(failureResultOf(d, as: OtherError.self) == nil) }
    }

    @Test func aConsumedFailureIsStillSeenByALaterErrbackAndCountsAgainIfRethrown() {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            try? d.errback(TestError(code: 2))
            _ = failureResultOf(d)
            var seen: Failure?
            d.addErrback { failure in
                seen = failure
                throw failure
            }
            #expect(seen?.check(TestError.self) == TestError(code: 2))
        }
        // Rethrown by a later stage, it is a live, unhandled failure again.
        #expect(capture.records.count == 2)
    }

    // MARK: assertNoResult (item 76)

    @Test func assertNoResultPassesAndLeavesLaterResultsAlone() {
        let d = Deferred<Int>()
        assertNoResult(d)
        try? d.callback(1)
        #expect(successResultOf(d) == 1)

        let e = Deferred<Int>()
        assertNoResult(e)
        try? e.errback(TestError(code: 3))
        #expect(failureResultOf(e, TestError.self) != nil)
    }

    @Test func assertNoResultLeavesALaterFailureReportedWhenNobodyHandlesIt() {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            assertNoResult(d)
            try? d.errback(TestError(code: 8))
        }
        #expect(capture.records.count == 2)
    }

    @Test func assertNoResultWithSuccessRecordsAnIssueAndKeepsTheValue() {
        let d = succeed(42)
        expectIssue(atLine: #line, containing: ["expected no result", "found a success result", "42"]) { assertNoResult(d) }
        var seen: Int?
        _ = d.addCallback { seen = $0 }
        #expect(seen == 42)
    }

    @Test func assertNoResultWithFailureRecordsAnIssueAndSwallowsIt() {
        let capture = LogCapture()
        do {
            let d = Deferred<Int>(logger: capture.logger())
            try? d.errback(TestError(code: 7))
            expectIssue(atLine: #line, containing: ["expected no result", "found a failure", "code: 7"]) { assertNoResult(d) }
        }
        #expect(capture.records.isEmpty)
    }

    // MARK: The throwing forms, for code without Swift Testing

    @Test func requireFormsThrowTypedErrors() throws {
        #expect(throws: DeferredResultError.self) { try Deferred<Int>().requireSuccessResult() }
        #expect(try succeed(1).requireSuccessResult() == 1)
        let failed: Deferred<Int> = fail(TestError(code: 1))
        do {
            try failed.requireNoResult()
            Issue.record("requireNoResult passed on a failed Deferred")
        } catch .unexpectedResult(.failure(let failure)) {
            #expect(failure.check(TestError.self) == TestError(code: 1))
        } catch {
            Issue.record("unexpected \(error)")
        }
        try Deferred<Int>().requireNoResult()
        #expect(try fail(TestError(), as: Int.self).requireFailureResult(TestError.self).matches(TestError.self))
    }
}
