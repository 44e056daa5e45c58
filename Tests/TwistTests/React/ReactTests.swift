import Logging
import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// An error a main function fails with.
private struct MainError: Error, Equatable {
    let code: Int
}

/// How one `runMain` on a thread of its own ended.
private struct MainRun: Sendable {
    /// The status, or what `runMain` threw.
    let status: Result<Int32, any Error>
    /// True when the watchdog had to stop the reactor.
    let timedOut: Bool
}

/// Runs `body` (which calls `runMain` on `reactor`) on a thread of its own, with a watchdog that
/// stops the reactor after `timeout` seconds.
private func runMainOnOwnThread(
    _ reactor: Reactor, timeout: Double = 10, _ body: @escaping @Sendable (Reactor) throws -> Int32
) async -> MainRun {
    await onOwnThread {
        let timedOut = Shared(false)
        reactor.callLater(timeout) {
            timedOut.value = true
            try? reactor.stop()
        }
        let status = Result { try body(reactor) }
        return MainRun(status: status, timedOut: timedOut.value)
    }
}

/// An async main function formed in main-actor code, as top-level code in `main.swift` forms it
/// (issue 21, finding 1): it reports whether it ran on the reactor thread, before and after an
/// `await`.
@MainActor
private func mainFormedOnTheMainActor(_ seen: Shared<[Bool]>) -> UncheckedBox<(isolated Reactor) async throws -> Void> {
    // Boxed to reach the thread that runs it: it is isolated to the reactor it is given.
    UncheckedBox { reactor in
        seen.mutate { $0.append(reactor.isInReactorThread) }
        try await deferLater(reactor, 0.01).value()
        seen.mutate { $0.append(reactor.isInReactorThread) }
    }
}

/// Spec §6 item 72 (★) and 73: `react` / `Reactor.runMain`.
@Suite("react: a reactor run around one main function")
struct ReactTests {
    @Test func aMainThatHasSucceededAlreadyExitsZeroAndStopsTheReactorOnce() async throws {
        let reactor = Reactor()
        let shutdowns = Shared(0)
        let mainSawRunning = Shared<Bool?>(nil)
        let run = await runMainOnOwnThread(reactor) { reactor in
            // Unannotated, this closure picks the Deferred-returning form: it runs before the reactor.
            try reactor.runMain { reactor in
                mainSawRunning.value = reactor.isRunning
                reactor.addSystemEventTrigger(.during, .shutdown) { shutdowns.mutate { $0 += 1 } }
                return succeed("done")
            }
        }
        #expect(mainSawRunning.value == false)
        #expect(try run.status.get() == 0)
        #expect(!run.timedOut)
        #expect(shutdowns.value == 1)
        #expect(!reactor.isRunning)
    }

    @Test func theReactorRunsUntilALaterResultArrives() async throws {
        let reactor = Reactor()
        let firedOnReactor = Shared(false)
        let run = await runMainOnOwnThread(reactor) { reactor in
            try reactor.runMain { reactor in
                deferLater(reactor, 0.05) { firedOnReactor.value = reactor.isInReactorThread }
            }
        }
        #expect(try run.status.get() == 0)
        #expect(!run.timedOut)
        #expect(firedOnReactor.value)
    }

    @Test func aFailureExitsOneAndIsLoggedOnceNotAsUnhandled() async throws {
        for later in [false, true] {
            let capture = LogCapture()
            let reactor = Reactor(logger: capture.logger())
            let run = await runMainOnOwnThread(reactor) { reactor in
                try reactor.runMain { reactor in
                    let finished = Deferred<Int>(logger: capture.logger())
                    if later {
                        reactor.callLater(0.01) { try finished.errback(MainError(code: 1)) }
                    } else {
                        try finished.errback(MainError(code: 1))
                    }
                    return finished
                }
            }
            #expect(try run.status.get() == 1)
            #expect(!run.timedOut)
            let messages = capture.records.map(\.message)
            #expect(messages == ["main function encountered error"], "later: \(later)")
            #expect(capture.records.first?.level == .error)
            #expect(capture.records.first?.metadata["error.type"]?.description.contains("MainError") == true)
        }
    }

    @Test func aSystemExitFailureGivesItsStatusAndLogsNothing() async throws {
        for later in [false, true] {
            let capture = LogCapture()
            let reactor = Reactor(logger: capture.logger())
            let run = await runMainOnOwnThread(reactor) { reactor in
                try reactor.runMain { reactor in
                    let finished = Deferred<Void>(logger: capture.logger())
                    if later {
                        reactor.callLater(0.01) { try finished.errback(SystemExit(5)) }
                    } else {
                        try finished.errback(SystemExit(5))
                    }
                    return finished
                }
            }
            #expect(try run.status.get() == 5)
            #expect(capture.records.isEmpty, "later: \(later)")
        }
    }

    @Test func aSynchronousThrowPropagatesAndTheReactorNeverRuns() async throws {
        let reactor = Reactor()
        let ranWhenRunning = Shared(false)
        let run = await runMainOnOwnThread(reactor) { reactor in
            try reactor.runMain { reactor -> Deferred<Void> in
                reactor.callWhenRunning { ranWhenRunning.value = true }
                throw MainError(code: 2)
            }
        }
        #expect(throws: MainError(code: 2)) { try run.status.get() }
        #expect(!ranWhenRunning.value)
        // Never run: the reactor is still fresh, so it can run a main function now.
        let second = await runMainOnOwnThread(reactor) { reactor in
            try reactor.runMain { _ in succeed(()) }
        }
        #expect(try second.status.get() == 0)
        #expect(ranWhenRunning.value)
    }

    @Test func aReactorThatHasRunIsRefusedBeforeMainIsCalled() async throws {
        let reactor = Reactor()
        _ = await runMainOnOwnThread(reactor) { reactor in try reactor.runMain { _ in succeed(()) } }
        let called = Shared(false)
        let run = await runMainOnOwnThread(reactor) { reactor in
            try reactor.runMain { _ -> Deferred<Void> in
                called.value = true
                return succeed(())
            }
        }
        #expect(throws: ReactorNotRestartable.self) { try run.status.get() }
        #expect(!called.value)
    }

    @Test func aResultArrivingDuringShutdownSetsTheStatus() async throws {
        let outcomes: [(Result<Void, MainError>, Int32)] = [(.success(()), 0), (.failure(MainError(code: 3)), 1)]
        for (outcome, expected) in outcomes {
            let capture = LogCapture()
            let reactor = Reactor(logger: capture.logger())
            let shutdowns = Shared(0)
            let run = await runMainOnOwnThread(reactor) { reactor in
                try reactor.runMain { reactor in
                    let finished = Deferred<Void>()
                    reactor.callLater(0.01) { try reactor.stop() }
                    reactor.addSystemEventTrigger(.during, .shutdown) {
                        shutdowns.mutate { $0 += 1 }
                        switch outcome {
                        case .success: try finished.callback()
                        case .failure(let error): try finished.errback(error)
                        }
                    }
                    return finished
                }
            }
            #expect(try run.status.get() == expected)
            #expect(!run.timedOut)
            #expect(shutdowns.value == 1)
            // No second stop was attempted and failed loudly: only the main function's failure is logged.
            #expect(capture.records.map(\.message) == (expected == 0 ? [] : ["main function encountered error"]))
        }
    }

    @Test func aSystemExitDuringShutdownGivesItsStatus() async throws {
        let reactor = Reactor()
        let run = await runMainOnOwnThread(reactor) { reactor in
            try reactor.runMain { reactor in
                let finished = Deferred<Void>()
                reactor.callLater(0.01) { try reactor.stop() }
                reactor.addSystemEventTrigger(.before, .shutdown) { try finished.errback(SystemExit(4)) }
                return finished
            }
        }
        #expect(try run.status.get() == 4)
    }

    @Test func aResultThatNeverArrivesExitsZeroWhenSomethingElseStops() async throws {
        let reactor = Reactor()
        let run = await runMainOnOwnThread(reactor) { reactor in
            try reactor.runMain { reactor in
                reactor.callLater(0.01) { try reactor.stop() }
                return Deferred<Int>()
            }
        }
        #expect(try run.status.get() == 0)
        #expect(!run.timedOut)
    }

    @Test func aResultArrivingAfterTheReactorReturnedIsIgnored() async throws {
        let capture = LogCapture()
        let reactor = Reactor(logger: capture.logger())
        let run = await runMainOnOwnThread(reactor) { reactor in
            let finished = Deferred<Void>(logger: capture.logger())
            let status = try reactor.runMain { reactor in
                reactor.callLater(0.01) { try reactor.stop() }
                return finished
            }
            try finished.errback(MainError(code: 9))
            return status
        }
        #expect(try run.status.get() == 0)
        #expect(capture.records.isEmpty)
    }

    @Test func theReactOverloadsTypeCheckWithoutAnnotations() {
        // A compile-time probe, never called (react exits the process): the closures only have to
        // type-check, the unannotated one as the Deferred-returning form (`try` would warn on the
        // async form, which does not throw, and the build must have no warnings).
        let callbackStyle: () throws -> Never = { try react { reactor in deferLater(reactor, 0.1) } }
        let asyncStyle: () -> Never = { react { (reactor: isolated Reactor) async throws in try await deferLater(reactor, 0.1).value() } }
        _ = (callbackStyle, asyncStyle)
    }

    // MARK: An async main function

    @Test func anAsyncMainRunsOnTheReactorAndItsReturnExitsZero() async throws {
        let reactor = Reactor()
        let onReactor = Shared<[Bool]>([])
        let run = await runMainOnOwnThread(reactor) { reactor in
            try reactor.runMain { (reactor: isolated Reactor) async throws -> String in
                onReactor.mutate { $0.append(reactor.isInReactorThread && Reactor.current === reactor) }
                try await deferLater(reactor, 0.02).value()
                onReactor.mutate { $0.append(reactor.isInReactorThread) }
                return "poem"
            }
        }
        #expect(try run.status.get() == 0)
        #expect(!run.timedOut)
        #expect(onReactor.value == [true, true])
    }

    @Test func anAsyncMainFormedOnTheMainActorStillRunsOnTheReactor() async throws {
        let reactor = Reactor()
        let seen = Shared<[Bool]>([])
        let box = await mainFormedOnTheMainActor(seen)
        let run = await runMainOnOwnThread(reactor) { reactor in try reactor.runMain(box.value) }
        #expect(try run.status.get() == 0)
        #expect(!run.timedOut)
        #expect(seen.value == [true, true])
    }

    @Test func anAsyncMainThatThrowsExitsWithItsStatus() async throws {
        let cases: [(any Error & Sendable, Int32, [String])] = [
            (SystemExit(7), 7, []),
            (MainError(code: 4), 1, ["main function encountered error"]),
        ]
        for (error, expected, logged) in cases {
            let capture = LogCapture()
            let reactor = Reactor(logger: capture.logger())
            let run = await runMainOnOwnThread(reactor) { reactor in
                try reactor.runMain { (reactor: isolated Reactor) async throws -> Void in
                    try await deferLater(reactor, 0.01).value()
                    throw error
                }
            }
            #expect(try run.status.get() == expected)
            #expect(capture.records.map(\.message) == logged)
        }
    }

    @Test func anAsyncMainThatNeverSuspendsStillStopsTheReactor() async throws {
        let reactor = Reactor()
        let run = await runMainOnOwnThread(reactor) { reactor in
            try reactor.runMain { (_: isolated Reactor) in 1 }
        }
        #expect(try run.status.get() == 0)
        #expect(!run.timedOut)
    }
}
