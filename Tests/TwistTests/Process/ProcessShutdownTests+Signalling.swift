import Glibc
import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// The opt-in `onReactorShutdown` actions: children still running at shutdown are signalled (and
/// killed when asked), waited for and reaped.
extension ProcessShutdownTests {
    /// The shell script of a child that ignores SIGTERM, says so, and then sleeps (as the same
    /// process, so the signal disposition is the sleeper's too).
    static let stubborn = ["/bin/sh", "-c", "trap '' TERM; echo ready; exec sleep 30"]

    /// Spawns `args` with `action` and stops the reactor once the child has printed something
    /// (or at once, with `stopAtOnce`); returns the recorded protocol after the reactor stopped.
    private func runUntilShutdown(
        _ args: [String], _ action: ChildShutdownAction, stopAtOnce: Bool = false, logs: LogCapture = LogCapture()
    ) async -> (process: RecordingProcess, pid: Int32, finished: Bool) {
        let reactor = Reactor(logger: logs.logger())
        let process = OutputStopping(reactor)
        let pid = Shared<Int32>(0)
        let box = UncheckedBox(process)
        reactor.callWhenRunning {
            let transport = try reactor.spawnProcess(
                box.value, executable: args[0], args: args, onReactorShutdown: action)
            pid.value = transport.pid ?? 0
            if stopAtOnce { try reactor.stop() }
        }
        let outcome = await runReactor(reactor, timeout: 20)
        return (process, pid.value, !outcome.timedOut)
    }

    @Test func aChildSignalledAtShutdownIsReapedAndReportedWithItsSignal() async {
        let (process, pid, finished) = await runUntilShutdown(["sleep", "30"], .signal(SIGTERM), stopAtOnce: true)
        #expect(finished)
        #expect(process.events.suffix(2) == ["processExited", "processEnded"], "\(process.events)")
        #expect(process.endedReason?.check(ProcessTerminated.self)?.signal == SIGTERM)
        #expect(process.transport?.pid == nil)
        #expect(!isLiveOrZombie(pid), "reaped: the kernel no longer knows it")
    }

    @Test func aChildIgnoringTheSignalIsKilledWhenAskedAndReaped() async {
        let (process, pid, finished) = await runUntilShutdown(Self.stubborn, .signalThenKill(SIGTERM, after: 0.2))
        #expect(finished)
        #expect(process.out == "ready\n")
        #expect(process.endedReason?.check(ProcessTerminated.self)?.signal == SIGKILL, "\(String(describing: process.endedReason))")
        #expect(process.events.suffix(2) == ["processExited", "processEnded"])
        #expect(!isLiveOrZombie(pid))
    }

    @Test func aChildIgnoringAPlainSignalIsLeftRunningAfterTheGrace() async {
        let (process, pid, finished) = await runUntilShutdown(Self.stubborn, .signal(SIGTERM))
        #expect(finished)
        #expect(!process.events.contains("processExited"))
        #expect(process.transport?.pid == pid)
        // It still runs: clean up after it (kill, then reap, so the test leaves no zombie).
        #expect(kill(pid, 0) == 0)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
    }

    @Test func anInvalidSignalIsLoggedAndTheChildLeftAsWithoutAnAction() async {
        let logs = LogCapture()
        let (process, pid, finished) = await runUntilShutdown(["sleep", "30"], .signal(9999), stopAtOnce: true, logs: logs)
        #expect(finished)
        #expect(logs.records.contains { $0.level == .error && $0.message.contains("cannot signal a child process") })
        #expect(!process.events.contains("processExited"))
        #expect(kill(pid, 0) == 0)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
    }

    @Test func aChildThatHasAlreadyEndedIsForgottenAndNothingIsSent() async throws {
        let capture = LogCapture()
        let reactor = Reactor(logger: capture.logger())
        let process = RecordingProcess()
        process.onEnded = { _ in try reactor.stop() }
        let box = UncheckedBox(process)
        reactor.callWhenRunning {
            try reactor.spawnProcess(
                box.value, executable: "/bin/sh", args: ["sh", "-c", "echo done"],
                onReactorShutdown: .signalThenKill(SIGTERM, after: 0))
        }
        let outcome = await runReactor(reactor, timeout: 20)
        #expect(!outcome.timedOut)
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
        #expect(!capture.records.contains { $0.level >= .warning }, "\(capture.records)")
    }

    @Test func signalledChildrenLeaveNoDescriptorOrZombieBehind() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let reactor = Reactor()
            var baseline = -1
            var atLastEnd = -2
            var signals: [Int32] = []
            let ended = { (reason: Failure) in
                signals.append(reason.check(ProcessTerminated.self)?.signal ?? 0)
                if signals.count == 2 { atLastEnd = openDescriptorCount() }
            }
            let warmUp = EndWatcher { _ in
                reactor.callLater(0.1) {
                    baseline = openDescriptorCount()
                    try reactor.spawnProcess(
                        EndWatcher(ended), executable: "sleep", args: ["sleep", "30"], onReactorShutdown: .signal(SIGTERM))
                    let stubborn = OutputStopping(reactor)
                    stubborn.onEnded = { ended($0.endedReason!) }
                    try reactor.spawnProcess(
                        stubborn, executable: "/bin/sh", args: ProcessShutdownTests.stubborn,
                        onReactorShutdown: .signalThenKill(SIGTERM, after: 0.1))
                }
            }
            reactor.callWhenRunning {
                _ = openDescriptorCount()
                try reactor.spawnProcess(warmUp, executable: "/bin/true", args: ["true"])
            }
            reactor.callLater(60) { exit(3) }
            try reactor.run()
            guard signals.sorted() == [SIGKILL, SIGTERM].sorted() else { exit(11) }
            guard atLastEnd == baseline else { exit(12) }
            exit(zombieChildCount() == 0 ? 0 : 13)
        }
    }

    @Test func theFakeRecordsTheShutdownAction() throws {
        let reactor = FakeProcessReactor()
        try reactor.spawnProcess(
            RecordingProcess(), executable: "x", args: ["x"], onReactorShutdown: .signalThenKill(SIGTERM, after: 2))
        try reactor.spawnProcess(RecordingProcess(), executable: "y", args: ["y"])
        #expect(reactor.spawns.map(\.onReactorShutdown) == [.signalThenKill(SIGTERM, after: 2), .leaveRunning])
    }
}

/// Records like ``RecordingProcess`` and stops the reactor when the child first prints.
final class OutputStopping: RecordingProcess {
    private let reactor: Reactor
    private var stopped = false

    init(_ reactor: Reactor) {
        self.reactor = reactor
    }

    override func childDataReceived(fd: Int32, data: ArraySlice<UInt8>) throws {
        try super.childDataReceived(fd: fd, data: data)
        guard !stopped else { return }
        stopped = true
        try reactor.stop()
    }
}

/// True while the kernel still has `pid` (running, or a zombie not yet reaped).
func isLiveOrZombie(_ pid: Int32) -> Bool {
    pid > 0 && access("/proc/\(pid)/stat", F_OK) == 0
}
