import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// The fallback for kernels without pidfd_open: the reactor polls waitid for the child's pid.
@Suite(.timeLimit(.minutes(1))) struct ProcessReapingFallbackTests {
    @Test func withoutAPidfdTheChildIsStillReapedWithItsStatus() async {
        let reactor = Reactor()
        let seen = UncheckedBox(RecordingProcess())
        let finished = await runRunning(reactor) {
            seen.value.onEnded = { _ in try reactor.stop() }
            try reactor.spawnProcess(
                seen.value, executable: "/bin/sh", args: ["sh", "-c", "echo polled; exit 5"], environment: .empty,
                workingDirectory: nil, childFDs: ChildDescriptor.standard, reaping: .polling)
        }
        #expect(finished)
        #expect(seen.value.out == "polled\n")
        #expect(seen.value.endedReason?.check(ProcessTerminated.self)?.exitCode == 5)
        #expect(seen.value.events.last == "processEnded")
    }

    @Test func aPolledChildKilledByASignalReportsIt() async {
        let reactor = Reactor()
        let seen = UncheckedBox(RecordingProcess())
        let finished = await runRunning(reactor) {
            seen.value.onEnded = { _ in try reactor.stop() }
            let transport = try reactor.spawnProcess(
                seen.value, executable: "sleep", args: ["sleep", "30"], environment: .empty,
                workingDirectory: nil, childFDs: [:], reaping: .polling)
            try transport.signalProcess(SIGKILL)
        }
        #expect(finished)
        #expect(seen.value.endedReason?.check(ProcessTerminated.self)?.signal == SIGKILL)
    }
}
