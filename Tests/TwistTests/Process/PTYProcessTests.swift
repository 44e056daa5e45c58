import Foundation
import Glibc
import Testing
import Twist
import TwistTestSupport

/// spawnProcess with `usePTY: true`: real children on a pseudo-terminal. Serialized so the count
/// of terminal descriptors this process holds is only this suite's.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PTYProcessTests {
    @Test func theChildIsASessionLeaderWithTheTerminalOnEveryStandardDescriptor() async {
        let before = terminalDescriptorCount()
        let script = "test -t 0 && test -t 1 && test -t 2 && : </dev/tty && tty && echo \"$$ $(cut -d' ' -f6 /proc/$$/stat)\""
        let (process, finished) = await runTerminalChild(["/bin/sh", "-c", script])
        #expect(finished)
        let lines = process.out.components(separatedBy: "\r\n")
        #expect(lines.count == 3, "\(process.out.debugDescription)")
        #expect(lines.first?.hasPrefix("/dev/pts/") == true)
        let ids = lines.count > 1 ? lines[1].split(separator: " ") : []
        #expect(ids.count == 2 && ids[0] == ids[1], "the shell's pid is its session id")
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
        #expect(process.events == ["connectionMade", "processExited", "processEnded"])
        #expect(process.output.keys.sorted() == [1])
        #expect(terminalDescriptorCount() == before)
    }

    @Test func whatIsWrittenIsEchoedByTheTerminalThenByCatAndCloseStdinEndsIt() async {
        let (process, finished) = await runTerminalChild(["cat"]) { process in
            process.onConnected = { process in process.transport!.write(Array("hello\n".utf8)) }
            process.onOutput = { process in
                // The terminal echoes the line as it is typed, then cat writes it back.
                if process.out == "hello\r\nhello\r\n" { process.transport!.closeStdin() }
            }
        }
        #expect(finished)
        #expect(process.out == "hello\r\nhello\r\n")
        #expect(process.endedReason?.check(ProcessDone.self) != nil, "\(String(describing: process.endedReason))")
        #expect(!process.events.contains { $0.hasPrefix("childConnectionLost") })
    }

    @Test func closeStdinRightAfterWritingStillDeliversEveryLineFirst() async {
        let (process, finished) = await runTerminalChild(["cat"]) { process in
            process.onConnected = { process in
                process.transport!.write(Array("one\ntwo\n".utf8))
                process.transport!.closeStdin()
            }
        }
        #expect(finished)
        #expect(process.out.components(separatedBy: "one\r\n").count == 3)
        #expect(process.out.components(separatedBy: "two\r\n").count == 3)
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }

    @Test func theExitStatusComesThroughATerminal() async {
        let (process, finished) = await runTerminalChild(["/bin/sh", "-c", "echo bye >&2; exit 7"])
        #expect(finished)
        #expect(process.out == "bye\r\n", "stderr arrives on fd 1 too")
        let terminated = process.endedReason?.check(ProcessTerminated.self)
        #expect(terminated?.exitCode == 7)
        #expect(terminated?.status == 7 << 8)
        #expect(process.exitedReason?.check(ProcessTerminated.self) === terminated)
    }

    @Test func aChildThatNeverExitsIsKilledBySignalProcess() async {
        let refusedAfter = UncheckedBox(Flag())
        let (process, finished) = await runTerminalChild(["cat"]) { process in
            process.onConnected = { process in
                #expect(throws: UnknownChildDescriptor(0)) { try process.transport!.writeToChild(0, [1][...]) }
                process.transport!.closeStdout()  // no-ops on a terminal: cat still answers
                process.transport!.closeStderr()
                process.transport!.closeChildFD(2)
                process.transport!.write(Array("still\n".utf8))
            }
            process.onOutput = { process in
                if process.out == "still\r\nstill\r\n" { try? process.transport!.signalProcess(SIGKILL) }
            }
            let userEnd = process.onEnded
            process.onEnded = { process in
                do {
                    try process.transport!.signalProcess(SIGKILL)
                } catch is ProcessExitedAlready {
                    refusedAfter.value.set = true
                }
                try userEnd?(process)
            }
        }
        #expect(finished)
        #expect(process.out == "still\r\nstill\r\n")
        #expect(process.endedReason?.check(ProcessTerminated.self)?.signal == SIGKILL)
        #expect(refusedAfter.value.set)
    }

    @Test func loseConnectionHangsUpTheTerminal() async {
        let (process, finished) = await runTerminalChild(["cat"]) { process in
            process.onConnected = { process in process.transport!.loseConnection() }
        }
        #expect(finished)
        #expect(process.endedReason?.check(ProcessTerminated.self)?.signal == SIGHUP)
        #expect(!process.events.contains { $0.hasPrefix("childConnectionLost") })
    }

    /// Linux answers a read of the master with EIO, not 0, once the slave is closed everywhere:
    /// all the output still arrives, and the end is the child's own, with no error.
    @Test func eioAfterTheChildExitsIsEndOfFileAfterAllItsOutput() async {
        let (process, finished) = await runTerminalChild(["/bin/sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line$i; i=$((i+1)); done"])
        #expect(finished)
        let lines = process.out.components(separatedBy: "\r\n")
        #expect(lines.count == 3001)
        #expect(lines.first == "line0")
        #expect(lines.dropLast().last == "line2999")
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
        #expect(process.events == ["connectionMade", "processExited", "processEnded"])
    }

    /// The master stays open while anything holds the slave: processEnded waits for a grandchild
    /// that outlives the shell (and ignores the hang-up its session leader's exit sends).
    @Test func processEndedWaitsForTheTerminalToCloseAfterTheReaping() async {
        // The shell ignores SIGHUP before it forks, so the grandchild ignores it from its start.
        let script = "trap '' HUP; (sleep 0.3; echo late) & echo early"
        let (process, finished) = await runTerminalChild(["/bin/sh", "-c", script]) { process in
            process.onOutput = { process in
                if process.out.contains("late") { process.events.append("late output") }
            }
        }
        #expect(finished)
        #expect(process.out == "early\r\nlate\r\n")
        #expect(process.events == ["connectionMade", "processExited", "late output", "processEnded"])
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }

    /// A child that closes its terminal and lives on: the master reads EIO at once, but the
    /// terminal must not hang up (SIGHUP) before the child is reaped, or its clean exit would be
    /// reported as a death by SIGHUP (GNU cat closes 0, 1 and 2 just before it exits).
    @Test func aChildThatClosesItsTerminalBeforeExitingIsNotHungUp() async {
        let (process, finished) = await runTerminalChild(["/bin/sh", "-c", "echo bye; exec 0<&- 1>&- 2>&-; sleep 0.2; exit 0"])
        #expect(finished)
        #expect(process.out == "bye\r\n")
        #expect(process.endedReason?.check(ProcessDone.self) != nil, "\(String(describing: process.endedReason))")
        #expect(process.events == ["connectionMade", "processExited", "processEnded"])
    }

    /// The transport is a producer over the master: paused, nothing is read, and the child
    /// blocks on the full terminal instead of filling memory; resumed, everything arrives.
    @Test func pausingTheTransportStopsReadingTheMasterUntilResumed() async {
        let total = 1_000_000
        let reactor = Reactor()
        let seen = UncheckedBox(RecordingProcess())
        let whilePaused = UncheckedBox(Flag())
        let finished = await runRunning(reactor, timeout: 60) {
            let process = seen.value
            process.onConnected = { process in
                process.transport!.pauseProducing()
                reactor.callLater(0.3) {
                    whilePaused.value.set = process.output[1] == nil && process.transport!.pid != nil
                    process.transport!.resumeProducing()
                }
            }
            process.onEnded = { _ in try reactor.stop() }
            try reactor.spawnProcess(process, executable: "head", args: ["head", "-c", "\(total)", "/dev/zero"], usePTY: true)
        }
        #expect(finished)
        #expect(whilePaused.value.set)
        #expect(seen.value.output[1]?.count == total)
        #expect(seen.value.output[1]?.allSatisfy { $0 == 0 } == true)
        #expect(seen.value.endedReason?.check(ProcessDone.self) != nil)
    }

    @Test func aTerminalWithAChildFDsMapIsRefusedBeforeAnythingStarts() async {
        let reactor = Reactor()
        let process = RecordingProcess()
        #expect(throws: TerminalWithChildDescriptors()) {
            try reactor.spawnProcess(
                process, executable: "true", args: ["true"], childFDs: ChildDescriptor.standard, usePTY: true)
        }
        #expect(process.events.isEmpty)
        #expect(process.transport == nil)
    }

    @Test func aMissingExecutableOnATerminalFailsSynchronouslyAndLeaksNothing() async {
        let before = terminalDescriptorCount()
        let reactor = Reactor()
        let process = RecordingProcess()
        #expect(throws: ProcessSpawnError.self) {
            try reactor.spawnProcess(process, executable: "/nonexistent/twist-pty", args: ["x"], usePTY: true)
        }
        #expect(process.events.isEmpty)
        #expect(terminalDescriptorCount() == before)
    }

    @Test func usePTYFalseIsThePipeSpawn() async {
        let reactor = Reactor()
        let box = UncheckedBox(RecordingProcess())
        let finished = await runRunning(reactor) {
            box.value.onEnded = { _ in try reactor.stop() }
            try reactor.spawnProcess(box.value, executable: "/bin/sh", args: ["sh", "-c", "echo out; test -t 1 || echo notty >&2"], usePTY: false)
        }
        #expect(finished)
        #expect(box.value.out == "out\n")
        #expect(box.value.err == "notty\n")
    }
}

/// A ``RecordingProcess`` that also runs `onOutput` after each delivery.
final class TerminalRecordingProcess: RecordingProcess {
    var onOutput: ((TerminalRecordingProcess) -> Void)?

    override func childDataReceived(fd: Int32, data: ArraySlice<UInt8>) throws {
        try super.childDataReceived(fd: fd, data: data)
        onOutput?(self)
    }
}

/// Spawns `args` (argv[0] is the executable) on a pseudo-terminal on a fresh reactor, stopping
/// the reactor when the process ends, as `runChild` does for pipes.
func runTerminalChild(
    _ args: [String], uid: UInt32? = nil, gid: UInt32? = nil, terminal: PseudoTerminalOptions = PseudoTerminalOptions(),
    timeout: Double = 20, _ setup: @escaping (TerminalRecordingProcess) -> Void = { _ in }
) async -> (process: TerminalRecordingProcess, finished: Bool) {
    await runRecorded(TerminalRecordingProcess(), timeout: timeout, setup) { reactor, process in
        try reactor.spawnProcess(
            process, executable: args[0], args: args, uid: uid, gid: gid, usePTY: true, terminal: terminal)
    }
}

/// How many descriptors of this process are terminal masters or slaves.
func terminalDescriptorCount() -> Int {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.filter { fd in
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? ""
        return target == "/dev/ptmx" || target.hasPrefix("/dev/pts/")
    }.count
}
