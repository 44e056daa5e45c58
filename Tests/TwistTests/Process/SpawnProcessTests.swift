import Glibc
import Testing
import Twist
import TwistTestSupport

/// spawnProcess with real children: output, exit reasons, callback order, signals, descriptors.
@Suite(.timeLimit(.minutes(2))) struct SpawnProcessTests {
    @Test func shellOutputAndExitCodeArriveInTwistedsOrder() async {
        let (process, finished) = await runChild(["/bin/sh", "-c", "echo hello; echo oops >&2; exit 3"])
        #expect(finished)
        #expect(process.out == "hello\n")
        #expect(process.err == "oops\n")
        #expect(process.events.first == "connectionMade")
        #expect(process.events.last == "processEnded")
        #expect(process.events.filter { $0.hasPrefix("childConnectionLost") }.sorted()
            == ["childConnectionLost 0", "childConnectionLost 1", "childConnectionLost 2"])
        #expect(process.events.firstIndex(of: "processExited")! < process.events.firstIndex(of: "processEnded")!)
        let terminated = process.endedReason?.check(ProcessTerminated.self)
        #expect(terminated?.exitCode == 3)
        #expect(terminated?.signal == nil)
        #expect(terminated?.status == 768)
        #expect(process.exitedReason?.check(ProcessTerminated.self) === terminated)
        #expect(process.pidInsideExited == .some(nil))
    }

    @Test func trueEndsWithProcessDoneAndFalseWithExitCodeOne() async {
        let (done, finishedTrue) = await runChild(["true"])
        #expect(finishedTrue)
        #expect(done.endedReason?.check(ProcessDone.self)?.exitCode == 0)
        #expect(done.endedReason?.check(ConnectionDone.self) != nil)
        let (failed, finishedFalse) = await runChild(["false"])
        #expect(finishedFalse)
        #expect(failed.endedReason?.check(ProcessTerminated.self)?.exitCode == 1)
        #expect(failed.endedReason?.check(ConnectionLost.self) != nil)
    }

    @Test func argvIsPassedVerbatimIncludingArgvZero() async {
        let (process, finished) = await runChild(["/bin/sh", "-c", "printf '%s|%s\\n' \"$0\" \"$1\"", "fake name", "a 'b' \\c\t$HOME"])
        #expect(finished)
        #expect(process.out == "fake name|a 'b' \\c\t$HOME\n")
    }

    @Test func theEnvironmentIsEmptyUnlessGiven() async {
        let (empty, _) = await runChild(["env"])
        #expect(empty.out == "")
        let (exact, _) = await runChild(["env"], environment: .exactly(["TWIST_A": "1", "TWIST_B": "two"]))
        #expect(exact.out == "TWIST_A=1\nTWIST_B=two\n")
        let (inherited, _) = await runChild(["env"], environment: .inherit)
        #expect(inherited.out.contains("PATH="))
    }

    @Test func theWorkingDirectoryIsTheOneGiven() async {
        let (process, finished) = await runChild(["pwd"], workingDirectory: "/")
        #expect(finished)
        #expect(process.out == "/\n")
    }

    @Test func catEchoesSeventyKilobytesWrittenToStdinThenEndsAtEndOfFile() async {
        let payload = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let (process, finished) = await runChild(["cat"]) { process in
            process.onConnected = { process in
                process.transport!.write(payload)
                process.transport!.closeStdin()
                process.transport!.write([1, 2, 3])  // after closeStdin: refused
            }
        }
        #expect(finished)
        #expect(process.output[1]?.count == payload.count)
        #expect(process.output[1] == payload, "the bytes differ")
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }

    @Test func aSleepingChildSignalledReportsTheSignalAndLaterSignalsAreRefused() async {
        let reactor = Reactor()
        let seen = UncheckedBox(RecordingProcess())
        let refusedAfter = UncheckedBox(Flag())
        let finished = await runRunning(reactor) {
            let process = seen.value
            process.onEnded = { process in
                do {
                    try process.transport!.signalProcess(SIGTERM)
                } catch is ProcessExitedAlready {
                    refusedAfter.value.set = true
                }
                try reactor.stop()
            }
            let transport = try reactor.spawnProcess(process, executable: "sleep", args: ["sleep", "30"])
            #expect(transport.pid != nil)
            try transport.signalProcess(named: "TERM")
        }
        #expect(finished)
        let terminated = seen.value.endedReason?.check(ProcessTerminated.self)
        #expect(terminated?.signal == SIGTERM)
        #expect(terminated?.exitCode == nil)
        #expect(terminated?.status == SIGTERM)
        #expect(seen.value.transport?.pid == nil)
        #expect(refusedAfter.value.set)
    }

    @Test func aChildThatClosesStdoutEarlyLosesThatPipeAndCarriesOn() async {
        let (process, finished) = await runChild(["/bin/sh", "-c", "exec 1>&-; read line; echo \"got $line\" >&2"]) {
            process in
            process.onConnected = { process in
                // Reply only once stdout is gone, so its loss certainly comes first.
                process.onStdoutLost = { process.transport!.write(Array("ping\n".utf8)) }
            }
        }
        #expect(finished)
        #expect(process.err == "got ping\n")
        let stdoutLost = process.events.firstIndex(of: "childConnectionLost 1")
        #expect(stdoutLost != nil)
        #expect(stdoutLost! < process.events.firstIndex(of: "processExited")!)
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }

    @Test func aChildWritesToAMappedDescriptorThree() async {
        let (process, finished) = await runChild(
            ["/bin/sh", "-c", "echo three >&3; echo one"], childFDs: [1: .pipeFromChild, 3: .pipeFromChild])
        #expect(finished)
        #expect(String(decoding: process.output[3] ?? [], as: UTF8.self) == "three\n")
        #expect(process.out == "one\n")
        #expect(process.events.contains("childConnectionLost 3"))
    }

    @Test func aChildReadsAMappedDescriptorWrittenWithWriteToChild() async {
        let (process, finished) = await runChild(
            ["/bin/sh", "-c", "read line <&4; echo \"fd4 $line\""], childFDs: [1: .pipeFromChild, 4: .pipeToChild]) {
            process in
            process.onConnected = { process in
                try process.transport!.writeToChild(4, Array("hi\n".utf8)[...])
                #expect(throws: UnknownChildDescriptor(0)) { try process.transport!.writeToChild(0, [1][...]) }
                #expect(throws: UnknownChildDescriptor(1)) { try process.transport!.writeToChild(1, [1][...]) }
                process.transport!.closeChildFD(4)
            }
        }
        #expect(finished)
        #expect(process.out == "fd4 hi\n")
    }

    @Test func anInheritedDescriptorIsTheParentsOwn() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let writeEnd = fds[1]
        let (_, finished) = await runChild(["/bin/sh", "-c", "echo shared >&5"], childFDs: [5: .inherit(parentFD: writeEnd)])
        close(writeEnd)
        #expect(finished)
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fds[0], &buffer, 64)
        #expect(count == 7)
        #expect(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self) == "shared\n")
    }

    @Test func withNoPipesProcessEndedFollowsProcessExited() async {
        let (process, finished) = await runChild(["true"], childFDs: [:])
        #expect(finished)
        #expect(process.events == ["connectionMade", "processExited", "processEnded"])
    }

    @Test func aMissingExecutableFailsSynchronouslyAndLeaksNothing() async throws {
        let reactor = Reactor()
        let process = RecordingProcess()
        #expect {
            try reactor.spawnProcess(process, executable: "/nonexistent/twist-no-such-program", args: ["x"])
        } throws: { error in
            (error as? ProcessSpawnError)?.osError == ENOENT
        }
        #expect(process.events.isEmpty)
        #expect(process.transport == nil)
        // That no descriptor leaks is counted in ProcessChurnTests, in a process of its own.
    }

    @Test func aBlockedChildIsBackPressuredWhilePausedAndFinishesOnceResumed() async {
        let total = 20_000_000
        let reactor = Reactor()
        let seen = UncheckedBox(RecordingProcess())
        let whilePaused = UncheckedBox(Flag())
        let finished = await runRunning(reactor, timeout: 60) {
            let process = seen.value
            process.onConnected = { process in
                process.transport!.pauseProducing()
                reactor.callLater(0.3) {
                    // Nothing was read while paused and the child, blocked on a full pipe, lives on.
                    whilePaused.value.set = process.output[1] == nil && process.transport!.pid != nil
                    process.transport!.resumeProducing()
                }
            }
            process.onEnded = { _ in try reactor.stop() }
            try reactor.spawnProcess(process, executable: "head", args: ["head", "-c", "\(total)", "/dev/zero"])
        }
        #expect(finished)
        #expect(whilePaused.value.set)
        #expect(seen.value.output[1]?.count == total)
        #expect(seen.value.endedReason?.check(ProcessDone.self) != nil)
    }

    @Test func anErrorInOutReceivedClosesThatPipeAndTheProcessStillEnds() async {
        struct Boom: Error {}
        final class Throwing: RecordingProcess {
            override func childDataReceived(fd: Int32, data: ArraySlice<UInt8>) throws {
                if fd == 1 { throw Boom() }
                try super.childDataReceived(fd: fd, data: data)
            }
        }
        let reactor = Reactor()
        let seen = UncheckedBox(Throwing())
        let finished = await runRunning(reactor) {
            seen.value.onEnded = { _ in try reactor.stop() }
            try reactor.spawnProcess(
                seen.value, executable: "/bin/sh", args: ["sh", "-c", "echo a; sleep 0.2; echo b; echo c >&2"],
                childFDs: [1: .pipeFromChild, 2: .pipeFromChild])
        }
        #expect(finished)
        #expect(seen.value.events.contains("childConnectionLost 1"))
        #expect(seen.value.events.last == "processEnded")
        // The child's second write to the closed pipe kills it with SIGPIPE (its default action).
        #expect(seen.value.endedReason?.check(ProcessTerminated.self)?.signal == SIGPIPE)
    }
}

final class Flag {
    var set = false
}
