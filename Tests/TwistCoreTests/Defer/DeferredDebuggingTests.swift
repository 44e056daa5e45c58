import Testing
import TwistCore
import TwistTesting

// Spec items 18 and 51: the stacks a debugged Deferred records, in a second fire's
// AlreadyCalledError and in an unhandled failure's log record.
//
// Every test here depends on the process-wide switch, so they run one at a time (`.serialized`),
// and each restores the switch when it ends. Suites elsewhere run meanwhile, and the Deferreds they
// create while the switch is on record stacks: harmless to their results (no other test looks at
// debug text), but not free (microseconds each, and some tests make 100,000 Deferreds against a
// deadline). So the switch is on only around creating and first firing, never while stacks are
// symbolicated (a fraction of a second each): a Deferred that must stay debugged for its second
// fire gets its own `debug` set before the switch goes off.

/// Which way a test fires a Deferred.
enum FireKind: String, CaseIterable, Sendable {
    case callback
    case errback
}

/// Creates the Deferred under test: its name must appear among the creator's frames.
@inline(never)
private func createdHere(logger: LogCapture? = nil) -> Deferred<Int> {
    Deferred<Int>(logger: logger?.logger())
}

/// Fires `d` for the first time: its name must appear among the first invoker's frames.
@inline(never)
private func firedFirstHere(_ d: Deferred<Int>, _ kind: FireKind) throws {
    switch kind {
    case .callback: try d.callback(1)
    case .errback: try d.errback(TestError(code: 1))
    }
}

/// Fires `d` again and returns the error; its name must appear nowhere in that error.
@inline(never)
private func firedAgainHere(_ d: Deferred<Int>, _ kind: FireKind) -> AlreadyCalledError? {
    do {
        switch kind {
        case .callback: try d.callback(2)
        case .errback: try d.errback(TestError(code: 2))
        }
    } catch let error as AlreadyCalledError {
        return error
    } catch {
        Issue.record("a second fire threw \(error)")
    }
    return nil
}

/// Runs `body` with Deferred debugging switched `on` for the process, then restores the setting.
private func withDebugging<T>(_ on: Bool, _ body: () throws -> T) rethrows -> T {
    let saved = Deferred.isDebugging
    Deferred.setDebugging(on)
    defer { Deferred.setDebugging(saved) }
    return try body()
}

/// The lines of `text` that start with `prefix`.
private func lines(of text: String, prefixed prefix: String) -> [Substring] {
    text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
}

@Suite("Deferred debugging", .serialized)
struct DeferredDebuggingTests {
    // MARK: AlreadyCalledError (item 18)

    @Test(arguments: FireKind.allCases, FireKind.allCases)
    func secondFireWhileDebuggingNamesTheCreatorAndTheFirstInvokerButNotTheSecondCaller(
        first: FireKind, second: FireKind
    ) throws {
        let d = try withDebugging(true) {
            let d = createdHere()
            try firedFirstHere(d, first)
            d.debug = true
            return d
        }
        let error = firedAgainHere(d, second)
        d.swallow()
        let text = try #require(error?.debugTracebacks)
        let creator = lines(of: text, prefixed: " C:")
        let invoker = lines(of: text, prefixed: " I:")

        #expect(text.hasPrefix(" C: Deferred was created:\n C:"))
        #expect(text.contains("\n I: First Invoker was:\n I:"))
        #expect(text.hasSuffix("\n"))
        #expect(creator.count + invoker.count == text.split(separator: "\n").count)
        #expect(creator.count > 1 && invoker.count > 1)

        #expect(creator.contains { $0.contains("createdHere") })
        #expect(!creator.contains { $0.contains("firedFirstHere") })
        #expect(invoker.contains { $0.contains("firedFirstHere") })
        #expect(!text.contains("firedAgainHere"))
        // The most recent frame is the public call (or, inlined, its caller), not the recorder.
        #expect(invoker.last.map { $0.contains("Deferred.\(first)") || $0.contains("firedFirstHere") } == true)
        #expect(!text.contains("DeferredCallStack") && !text.contains("recordFirstInvoker"))

        #expect(error?.description == "the Deferred has already been fired\n\(text)")
    }

    @Test func secondFireWithoutDebuggingCarriesNoDebugText() throws {
        let error = try withDebugging(false) { () throws -> AlreadyCalledError? in
            let d = createdHere()
            try firedFirstHere(d, .callback)
            return firedAgainHere(d, .errback)
        }
        #expect(error == AlreadyCalledError())
        #expect(error?.debugTracebacks == nil)
        #expect(error?.description == "the Deferred has already been fired")
    }

    @Test func debugSetOnADeferredAfterItsCreationRecordsItsFirstInvokerOnly() throws {
        let error = try withDebugging(false) { () throws -> AlreadyCalledError? in
            let d = createdHere()
            d.debug = true
            try firedFirstHere(d, .callback)
            return firedAgainHere(d, .callback)
        }
        let text = try #require(error?.debugTracebacks)
        #expect(text.hasPrefix(" I: First Invoker was:\n I:"))
        #expect(lines(of: text, prefixed: " C:").isEmpty)
        #expect(text.contains("firedFirstHere") && !text.contains("firedAgainHere"))
    }

    @Test func debugTurnedOffOnADeferredKeepsItsStacksOutOfTheError() throws {
        let error = try withDebugging(true) { () throws -> AlreadyCalledError? in
            let d = createdHere()
            d.debug = false
            try firedFirstHere(d, .callback)
            return firedAgainHere(d, .callback)
        }
        #expect(error == AlreadyCalledError())
    }

    @Test func debugReadsTheProcessWideSettingUntilItIsSetOnTheDeferred() {
        withDebugging(false) {
            let d = Deferred<Int>()
            let later = d.addCallback { "\($0)" }
            #expect(!Deferred.isDebugging && !later.debug)
            Deferred.setDebugging(true)
            #expect(Deferred.isDebugging && later.debug)
            later.debug = false
            #expect(Deferred.isDebugging && !later.debug && !d.debug)
            Deferred.setDebugging(false)
            d.debug = true
            #expect(!Deferred.isDebugging && later.debug)
        }
    }

    /// Twisted's testSwitchDebugging, and what each Deferred then keeps.
    @Test func switchingDebuggingWhileDeferredsAreAliveIsSafe() throws {
        try withDebugging(false) {
            var ran: [Int] = []
            let d = Deferred<Int>()
            _ = d.addBoth { ran.append(try $0.get()) }
            Deferred.setDebugging(true)
            try d.callback(1)
            // Made while off, it recorded nothing; the second fire, made while on, is debugged.
            #expect(firedAgainHere(d, .callback)?.debugTracebacks == "")

            Deferred.setDebugging(false)
            let e = Deferred<Int>()
            try e.callback(2)
            Deferred.setDebugging(true)
            _ = e.addBoth { ran.append(try $0.get()) }
            #expect(ran == [1, 2])

            // Made while on and fired while off: it keeps its creator and records no invoker.
            let f = createdHere()
            Deferred.setDebugging(false)
            try firedFirstHere(f, .callback)
            #expect(firedAgainHere(f, .callback) == AlreadyCalledError())
            f.debug = true
            let text = try #require(firedAgainHere(f, .callback)?.debugTracebacks)
            #expect(text.hasPrefix(" C: Deferred was created:\n"))
            #expect(lines(of: text, prefixed: " I:").isEmpty)
        }
    }

    // MARK: Unhandled failures in the log (item 51)

    /// Twisted's test_errorLogDebugInfo.
    @Test func unhandledFailureOfADebuggedDeferredIsLoggedAfterItsFirstInvoker() throws {
        let capture = LogCapture()
        try withDebugging(false) {
            let d = createdHere(logger: capture)
            d.debug = true
            _ = d.addCallback { _ -> Int in throw TestError(code: 51) }
            try firedFirstHere(d, .callback)
        }
        let records = capture.records
        #expect(records.count == 2)
        #expect(records.first?.message == "Unhandled error in Deferred:")
        let text = try #require(records.last?.message)
        #expect(text.hasPrefix("(debug:  I: First Invoker was:\n I:"))
        #expect(text.contains("firedFirstHere"))
        #expect(text.hasSuffix("\n)\nTraceback (failure with no frames): TwistCoreTests.TestError: TestError(code: 51)"))
        #expect(!text.contains("Failure("))
    }

    @Test func unhandledFailureOfADeferredCreatedWhileDebuggingIsLoggedAfterBothStacks() throws {
        let capture = LogCapture()
        do {
            let d = try withDebugging(true) {
                let d = createdHere(logger: capture)
                try firedFirstHere(d, .errback)
                return d
            }
            #expect(!d.debug)
        }
        let text = try #require(capture.records.last?.message)
        #expect(text.hasPrefix("(debug:  C: Deferred was created:\n C:"))
        #expect(text.contains("\n I: First Invoker was:\n I:"))
        #expect(text.contains("createdHere") && text.contains("firedFirstHere"))
        #expect(text.contains("\n)\nTraceback (most recent call last):\n"))
    }

    /// Twisted's test_errorLogNoRepr, for a failure whose origin is known.
    @Test func unhandledFailureWithoutDebuggingIsLoggedAsATracebackWithoutTheFailureRepr() throws {
        let capture = LogCapture()
        var line: UInt = 0
        withDebugging(false) {
            let d = createdHere(logger: capture)
            line = #line; try? d.errback(TestError(code: 8))
        }
        let text = try #require(capture.records.last?.message)
        #expect(
            text == """
                Unhandled Error
                Traceback (most recent call last):
                  File "TwistCoreTests/DeferredDebuggingTests.swift", line \(line)
                TwistCoreTests.TestError: TestError(code: 8)
                """
        )
        #expect(!text.contains("Failure("))
    }

    @Test func unhandledFailureThrownByACallbackIsLoggedAsATracebackWithNoFrames() throws {
        let capture = LogCapture()
        withDebugging(false) {
            DeferredLogging.$logger.withValue(capture.logger()) {
                _ = succeed(1).addCallback { _ -> Int in throw TestError(code: 9) }
            }
        }
        let text = try #require(capture.records.last?.message)
        #expect(text == "Unhandled Error\nTraceback (failure with no frames): TwistCoreTests.TestError: TestError(code: 9)")
    }
}
