import Glibc
import Testing
import Twist

/// Signals, each in a child process (an exit test) so the test runner is never the one signalled.
@Suite struct SignalTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func aStopSignalStopsTheReactorGracefullyWhenAskedTo(signalNumber: Int32) async {
        await #expect(processExitsWith: .exitCode(0)) { [signalNumber] in
            let reactor = Reactor()
            var shutdownRan = false
            reactor.addSystemEventTrigger(.during, .shutdown) { shutdownRan = true }
            reactor.callWhenRunning { kill(getpid(), signalNumber) }
            reactor.callLater(10) { exit(3) }  // the signal did not stop the reactor
            try reactor.run(installSignalHandlers: true)
            exit(shutdownRan && reactor.receivedSignal == signalNumber ? 0 : 4)
        }
    }

    @Test func withoutSignalHandlersSIGTERMKeepsItsDefaultAction() async {
        await #expect(processExitsWith: .signal(SIGTERM)) {
            let reactor = Reactor()
            reactor.callWhenRunning { kill(getpid(), SIGTERM) }
            reactor.callLater(10) { exit(3) }
            try reactor.run()
        }
    }

    @Test func writingToAClosedSocketFailsWithEPIPEInsteadOfKillingTheProcess() async {
        await #expect(processExitsWith: .exitCode(0)) {
            _ = Reactor()
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { exit(5) }
            close(fds[1])
            let byte: [UInt8] = [1]
            let written = write(fds[0], byte, 1)
            exit(written == -1 && errno == EPIPE ? 0 : 6)
        }
    }
}
