import Testing
import TwistCore

@Suite("Failure")
struct DeferredFailureTests {
    final class ClassError: Error {}

    @Test func failureKeepsTheOriginalErrorValue() {
        let original = ClassError()
        let failure = Failure(original)
        #expect((failure.error as? ClassError) === original)
        #expect(failure.check(ClassError.self) === original)
    }

    @Test func checkReturnsTheMatchingTypeOrNothing() {
        let failure = Failure(TestError(code: 1))
        #expect(failure.check(TestError.self)?.code == 1)
        #expect(failure.check(OtherError.self) == nil)
        #expect(failure.check(OtherError.self, TestError.self) == TestError.self)
        #expect(failure.check(OtherError.self, CancelledError.self) == nil)
    }

    @Test func trapReturnsTheMatchOrRethrowsTheOriginalError() throws {
        let failure = Failure(TestError(code: 2))
        #expect(try failure.trap(TestError.self).code == 2)
        do {
            try failure.trap(OtherError.self)
            Issue.record("trap should have thrown")
        } catch let thrown as Failure {
            #expect(thrown.check(TestError.self)?.code == 2)
            #expect(thrown.line == failure.line)
        }
        #expect(throws: Failure.self) { try failure.trap(OtherError.self, CancelledError.self) }
    }

    @Test func failureMadeFromAFailureTakesOverItsErrorAndLocation() {
        let first = Failure(TestError(code: 3))
        let second = Failure(first)
        #expect(second.check(TestError.self)?.code == 3)
        #expect(second.line == first.line)
    }

    @Test func descriptionNamesTheTypeTheErrorAndWhereItWasMade() {
        let failure = Failure(TestError(code: 4))
        #expect(failure.description.contains("TestError"))
        #expect(failure.description.contains("code: 4"))
        #expect(failure.description.contains("DeferredFailureTests.swift:\(failure.line ?? 0)"))
    }
}
