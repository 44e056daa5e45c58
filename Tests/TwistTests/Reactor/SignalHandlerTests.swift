import Glibc
import Testing
import Twist
import TwistTestSupport

/// `addSignalHandler`: delivery on the reactor thread, order, removal, refusals. Each signal is
/// used by one test only (a signal is watched by one loop of the process at a time).
@Suite(.timeLimit(.minutes(1))) struct SignalHandlerTests {
    /// The process's current disposition of `signalNumber` is the default one.
    private static func hasDefaultAction(_ signalNumber: Int32) -> Bool {
        var current = sigaction()
        sigaction(signalNumber, nil, &current)
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_DFL, to: Int.self)
    }

    @Test func aRaisedSIGUSR1ReachesEveryHandlerInOrderOnTheReactorThreadUntilRemoved() async {
        let reactor = Reactor()
        let seen = Shared<[String]>([])
        let finished = await runRunning(reactor) {
            var rounds = 0
            let first = try reactor.addSignalHandler(SIGUSR1) { signalNumber in
                seen.mutate { $0.append("first \(signalNumber == SIGUSR1) \(reactor.isInReactorThread)") }
            }
            var second: SignalHandlerRegistration?
            second = try reactor.addSignalHandler(SIGUSR1) { _ in
                seen.mutate { $0.append("second") }
                rounds += 1
                if rounds == 1 {
                    // Remove the first; the signal is delivered again to the second alone.
                    seen.mutate { $0.append("removed \(first.remove()) again \(first.remove())") }
                    raise(SIGUSR1)
                } else {
                    second?.remove()
                    seen.mutate { $0.append("default restored \(SignalHandlerTests.hasDefaultAction(SIGUSR1))") }
                    try? reactor.stop()
                }
            }
            seen.mutate { $0.append("handled while watched \(!SignalHandlerTests.hasDefaultAction(SIGUSR1))") }
            raise(SIGUSR1)
        }
        #expect(finished)
        #expect(seen.value == [
            "handled while watched true", "first true true", "second", "removed true again false", "second",
            "default restored true",
        ])
    }

    @Test func SIGUSR2SentWithKillToTheProcessIsDelivered() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let reactor = Reactor()
            var got: Int32 = 0
            reactor.callWhenRunning {
                _ = try reactor.addSignalHandler(SIGUSR2) { signalNumber in
                    got = signalNumber
                    try? reactor.stop()
                }
                kill(getpid(), SIGUSR2)
            }
            reactor.callLater(10) { exit(3) }
            try reactor.run()
            exit(got == SIGUSR2 ? 0 : 4)
        }
    }

    @Test func aSignalWatchedByOneReactorIsRefusedToAnotherUntilReleased() throws {
        let one = Reactor()
        let other = Reactor()
        let held = try one.addSignalHandler(SIGWINCH) { _ in }
        #expect(throws: SignalInUse(SIGWINCH)) { try other.addSignalHandler(SIGWINCH) { _ in } }
        held.remove()
        let taken = try other.addSignalHandler(SIGWINCH) { _ in }
        taken.remove()
    }

    @Test(arguments: [0, -1, 200, SIGKILL, SIGSTOP])
    func aNumberThatIsNotACatchableSignalIsRefused(signalNumber: Int32) {
        let reactor = Reactor()
        #expect(throws: InvalidSignal(signalNumber)) { try reactor.addSignalHandler(signalNumber) { _ in } }
    }
}
