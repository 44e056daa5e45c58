import Glibc
import Testing
import Twist
import TwistTestSupport

/// Children and the reactor's life: spawning before run, and live children at shutdown.
@Suite(.timeLimit(.minutes(1))) struct ProcessShutdownTests {
    @Test func aChildSpawnedBeforeTheReactorRunsIsServedOnceItRuns() async throws {
        let reactor = Reactor()
        let process = RecordingProcess()
        process.onEnded = { _ in try reactor.stop() }
        try reactor.spawnProcess(process, executable: "/bin/sh", args: ["sh", "-c", "echo early"])
        #expect(process.events == ["connectionMade"])
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(process.out == "early\n")
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }

    @Test func aLiveChildAtShutdownLosesItsPipesButIsNeitherSignalledNorReaped() async throws {
        let reactor = Reactor()
        let process = RecordingProcess()
        let pid = Shared<Int32>(0)
        reactor.callWhenRunning {
            let transport = try reactor.spawnProcess(process, executable: "sleep", args: ["sleep", "30"])
            pid.value = transport.pid ?? 0
            reactor.callLater(0.05) { try reactor.stop() }
        }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(process.events.sorted() == ["childConnectionLost 0", "childConnectionLost 1", "childConnectionLost 2", "connectionMade"])
        #expect(process.transport?.pid == pid.value)
        // It still runs: clean up after it (kill, then reap, so the test leaves no zombie).
        #expect(kill(pid.value, 0) == 0)
        kill(pid.value, SIGKILL)
        var status: Int32 = 0
        #expect(waitpid(pid.value, &status, 0) == pid.value)
    }

    @Test func aChildThatExitsDuringTheShutdownGraceIsReapedAndReported() async throws {
        let reactor = Reactor()
        let process = RecordingProcess()
        reactor.callWhenRunning {
            try reactor.spawnProcess(process, executable: "/bin/sh", args: ["sh", "-c", "sleep 0.2; echo late"])
            try reactor.stop()  // the child is still running: shutdown gives it a grace to exit
        }
        let outcome = await runReactor(reactor)
        #expect(!outcome.timedOut)
        #expect(process.events.contains("processExited"))
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
        #expect(process.transport?.pid == nil)
    }
}
