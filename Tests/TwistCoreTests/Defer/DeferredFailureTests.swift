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

    /// `check` and `trap` answer exact types without the general cast, and fall back to it for the
    /// rest: a superclass still matches, and a struct larger than an existential's buffer is read
    /// whole.
    class BaseError: Error, @unchecked Sendable {}
    final class DerivedError: BaseError, @unchecked Sendable {}
    struct LargeError: Error { let a, b, c, d, e: Int; let text: String }

    @Test func checkMatchesExactTypesAndSuperclassesAlike() {
        let derived = DerivedError()
        let failure = Failure(derived)
        #expect(failure.check(DerivedError.self) === derived)
        #expect(failure.check(BaseError.self) === derived)
        #expect(failure.check(ClassError.self) == nil)

        // Boxed under its superclass's type: the exact type of the box is BaseError, not the
        // instance's, and the subclass is still found.
        let asBase: BaseError = DerivedError()
        let boxedAsBase = Failure(asBase)
        #expect(boxedAsBase.check(DerivedError.self) === asBase)
        #expect(boxedAsBase.check(BaseError.self) === asBase)
        #expect((try? boxedAsBase.trap(DerivedError.self)) === asBase)

        let large = Failure(LargeError(a: 1, b: 2, c: 3, d: 4, e: 5, text: "kept"))
        let read = large.check(LargeError.self)
        #expect(read?.e == 5)
        #expect(read?.text == "kept")
        #expect(large.check(TestError.self) == nil)
    }

    @Test func aFailureRethrownThroughAnyErrorIsNotWrappedAgain() throws {
        let first = Failure(TestError(code: 7))
        let rethrown: any Error = first
        let again = Failure(rethrown)
        #expect(again.line == first.line)
        #expect(again.check(TestError.self)?.code == 7)
        #expect(again.check(Failure.self) == nil)
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
