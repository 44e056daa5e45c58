import Glibc
import Testing
@testable import Twist
import TwistTestSupport

extension PTYProcessTests {
    /// A child on a pseudo-terminal with the polling fallback, and at the reactor's shutdown; nested
    /// in ``PTYProcessTests`` so that suite's serialization covers it (terminal descriptor counts).
    @Suite(.timeLimit(.minutes(1))) struct ReapingAndShutdown {
        @Test func withoutAPidfdATerminalChildIsReapedWithItsStatus() async {
            let reactor = Reactor()
            let seen = UncheckedBox(RecordingProcess())
            let finished = await runRunning(reactor) {
                seen.value.onEnded = { _ in try reactor.stop() }
                try reactor.spawnProcess(
                    seen.value, executable: "/bin/sh", args: ["sh", "-c", "echo hi; exit 4"], environment: .empty,
                    workingDirectory: nil, childFDs: [:], reaping: .polling, wiring: .terminal)
            }
            #expect(finished)
            #expect(seen.value.out == "hi\r\n")
            #expect(seen.value.endedReason?.check(ProcessTerminated.self)?.exitCode == 4)
        }

        /// A terminal child still running at shutdown: the master and its hold are closed with the
        /// reactor (no terminal descriptor is left), so the terminal hangs up and the child gets SIGHUP
        /// (unlike a pipe child, which runs on). It is not reaped by the reactor.
        @Test func aLiveTerminalChildAtShutdownIsHungUpAndNoDescriptorIsLeft() async throws {
            let reactor = Reactor()
            let process = RecordingProcess()
            let pid = Shared<Int32>(0)
            reactor.callWhenRunning {
                let transport = try reactor.spawnProcess(process, executable: "sleep", args: ["sleep", "30"], usePTY: true)
                pid.value = transport.pid ?? 0
                reactor.callLater(0.05) { try reactor.stop() }
            }
            let outcome = await runReactor(reactor)
            #expect(!outcome.timedOut)
            #expect(process.events == ["connectionMade"])
            let linkTargets = (0..<1024).compactMap { fd -> String? in
                var buffer = [CChar](repeating: 0, count: 256)
                let count = readlink("/proc/self/fd/\(fd)", &buffer, 255)
                return count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
            }
            #expect(!linkTargets.contains { $0 == "/dev/ptmx" })
            var status: Int32 = 0
            #expect(waitpid(pid.value, &status, 0) == pid.value)
            #expect(status & 0x7f == SIGHUP)
        }
    }
}
