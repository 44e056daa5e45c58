import Testing
import TwistCore
import TwistTesting

@Suite("DeferredList, gatherResults, race")
struct DeferredListTests {
    @Test func listFiresWithEveryResultInInputOrderWhateverTheFiringOrder() throws {
        let inputs = (0..<3).map { _ in Deferred<Int>() }
        let list = DeferredList.all(inputs, consumeErrors: true)
        try inputs[2].callback(2)
        try inputs[0].errback(TestError(code: 0))
        #expect(!list.hasFired)
        try inputs[1].callback(1)
        let results = try #require(list.successValue)
        #expect(results.count == 3)
        #expect((try? results[1].get()) == 1)
        #expect((try? results[2].get()) == 2)
        guard case .failure(let failure) = results[0] else { Issue.record("expected a failure"); return }
        #expect(failure.check(TestError.self)?.code == 0)
    }

    @Test func emptyListFiresAtOnceButAnEmptyFireOnOneCallbackListNever() {
        #expect(DeferredList.all([Deferred<Int>]()).successValue?.isEmpty == true)
        #expect(!DeferredList.fireOnOneCallback([Deferred<Int>]()).hasFired)
    }

    @Test func fireOnOneCallbackFiresWithTheFirstSuccessAndItsIndex() throws {
        let inputs = (0..<3).map { _ in Deferred<Int>() }
        let list = DeferredList.fireOnOneCallback(inputs, consumeErrors: true)
        try inputs[0].errback(TestError())
        try inputs[2].callback(20)
        guard case .success(let value, let index)? = list.successValue else {
            Issue.record("expected the first success")
            return
        }
        #expect(value == 20 && index == 2)
        try inputs[1].callback(10)
    }

    @Test func fireOnOneCallbackFiresWithEveryFailureWhenAllFail() throws {
        let inputs = (0..<2).map { _ in Deferred<Int>() }
        let list = DeferredList.fireOnOneCallback(inputs, consumeErrors: true)
        try inputs[1].errback(TestError(code: 1))
        try inputs[0].errback(TestError(code: 0))
        guard case .allFailed(let failures)? = list.successValue else {
            Issue.record("expected all failures")
            return
        }
        #expect(failures.map { $0.check(TestError.self)?.code } == [0, 1])
    }

    @Test func fireOnOneErrbackFailsWithFirstErrorAtTheFirstFailure() throws {
        let inputs = (0..<3).map { _ in Deferred<Int>() }
        let list = DeferredList.fireOnOneErrback(inputs, consumeErrors: true)
        try inputs[0].callback(0)
        try inputs[1].errback(TestError(code: 1))
        let firstError = list.failure?.check(FirstError.self)
        #expect(firstError?.index == 1)
        #expect(firstError?.failure.check(TestError.self)?.code == 1)
        #expect(firstError?.description.contains("#1") == true)
        list.swallow()
    }

    @Test func inputsFiredBeforeTheListIsBuiltAreCountedAtOnce() {
        let list = DeferredList.all([succeed(1), succeed(2)])
        #expect(list.successValue?.count == 2)
        let failing = DeferredList.fireOnOneErrback([succeed(1), fail(TestError())], consumeErrors: true)
        #expect(failing.failure?.check(FirstError.self)?.index == 1)
        failing.swallow()
    }

    @Test func withoutConsumeErrorsAnInputsFailureContinuesDownItsOwnChain() throws {
        let input = Deferred<Int>()
        let list = DeferredList.all([input])
        var inputChainSaw: Failure?
        input.addErrback { failure in
            inputChainSaw = failure
            return 0
        }
        try input.errback(TestError(code: 4))
        #expect(inputChainSaw?.check(TestError.self)?.code == 4)
        #expect(list.successValue?.count == 1)
    }

    @Test func withConsumeErrorsAnInputsFailureIsNotReportedAsUnhandled() throws {
        let capture = LogCapture()
        do {
            let input = Deferred<Int>(logger: capture.logger())
            let list = DeferredList.all([input], consumeErrors: true)
            try input.errback(TestError())
            #expect(list.hasFired)
        }
        #expect(capture.records.isEmpty)

        do {
            let input = Deferred<Int>(logger: capture.logger())
            _ = DeferredList.all([input], consumeErrors: false)
            try input.errback(TestError())
        }
        #expect(capture.records.count == 2)
    }

    @Test func cancellingAListCancelsEveryInputAndBuildsTheResultFromWhatTheyProduced() {
        let plain = Deferred<Int>()
        let supplying = Deferred<Int> { try? $0.callback(5) }
        var inputs = [plain, supplying]
        let list = DeferredList.all(inputs, consumeErrors: true)
        inputs.removeAll()
        list.cancel()
        let results = list.successValue
        #expect(results?.count == 2)
        #expect((try? results?[1].get()) == 5)
        if case .failure(let failure)? = results?[0] {
            #expect(failure.check(CancelledError.self) != nil)
        } else {
            Issue.record("expected the plain input to be cancelled")
        }
    }

    @Test func cancellingAFiredListDoesNothing() throws {
        let inputs = [Deferred<Int>(), Deferred<Int>()]
        let list = DeferredList.fireOnOneCallback(inputs)
        try inputs[0].callback(1)
        list.cancel()
        #expect(!inputs[1].hasFired)
        try inputs[1].callback(2)
    }

    @Test func gatherResultsGivesThePlainValuesInInputOrder() throws {
        let inputs = [Deferred<String>(), Deferred<String>()]
        let gathered = gatherResults(inputs)
        try inputs[1].callback("b")
        try inputs[0].callback("a")
        #expect(gathered.successValue == ["a", "b"])
    }

    @Test func gatherResultsFailsWithFirstErrorAndCancellingItCancelsInputs() throws {
        let inputs = [Deferred<Int>(), Deferred<Int>()]
        let gathered = gatherResults(inputs, consumeErrors: true)
        try inputs[1].errback(TestError(code: 1))
        #expect(gathered.failure?.check(FirstError.self)?.index == 1)
        gathered.swallow()

        let supplied = gatherResults([Deferred<Int> { try? $0.callback(1) }, Deferred<Int> { try? $0.callback(2) }])
        supplied.cancel()
        #expect(supplied.successValue == [1, 2])
    }

    @Test func raceFiresWithTheFirstSuccessAndCancelsTheOthersOnce() throws {
        var cancels = [0, 0, 0]
        let inputs = (0..<3).map { index in Deferred<Int> { _ in cancels[index] += 1 } }
        let winner = race(inputs)
        try inputs[1].callback(11)
        #expect(winner.successValue?.index == 1)
        #expect(winner.successValue?.value == 11)
        #expect(cancels == [1, 0, 1])
        try? inputs[0].callback(0)  // after cancellation: dropped silently
    }

    @Test func raceFailsWithEveryFailureInInputOrderWhenAllFail() throws {
        let inputs = [Deferred<Int>(), Deferred<Int>()]
        let winner = race(inputs)
        try inputs[1].errback(TestError(code: 1))
        try inputs[0].errback(TestError(code: 0))
        let group = winner.failure?.check(FailureGroup.self)
        #expect(group?.failures.map { $0.check(TestError.self)?.code } == [0, 1])
        winner.swallow()
    }

    @Test func cancellingARaceCancelsEveryInput() {
        let inputs = [Deferred<Int>(), Deferred<Int>()]
        let winner = race(inputs)
        winner.cancel()
        #expect(inputs.allSatisfy { $0.failure?.check(CancelledError.self) != nil })
        #expect(winner.failure?.check(FailureGroup.self)?.failures.count == 2)
        winner.swallow()
    }
}
