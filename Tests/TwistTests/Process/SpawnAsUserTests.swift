import Foundation
import Glibc
import Testing
import Twist
import TwistTestSupport

/// The sandbox's user, for the tests that need to switch ids.
let runningAsRoot = getuid() == 0
/// The conventional unprivileged `nobody` ids.
let nobody: UInt32 = 65534

/// spawnProcess with `uid:`/`gid:`: the fork + execve path. Only root may switch ids, so the
/// switching tests are skipped for any other user; a failure in the child (an id the kernel
/// refuses, an exec the new user may not do) still throws synchronously.
@Suite(.timeLimit(.minutes(2))) struct SpawnAsUserTests {
    @Test(.enabled(if: runningAsRoot, "switching to another user needs root"))
    func theChildRunsAsTheGivenUserAndGroupWithOnlyThatGroup() async {
        let (process, finished) = await runChild(["/bin/sh", "-c", "id -u; id -g; id -G"], uid: nobody, gid: nobody)
        #expect(finished)
        #expect(process.out == "65534\n65534\n65534\n", "\(process.err)")
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
        #expect(process.events.first == "connectionMade" && process.events.last == "processEnded")
    }

    @Test(.enabled(if: runningAsRoot, "switching to another user needs root"))
    func aUidAloneKeepsTheParentsGroup() async {
        let (process, finished) = await runChild(["/usr/bin/id", "-u"], uid: nobody)
        let (group, groupFinished) = await runChild(["/usr/bin/id", "-G"], uid: nobody)
        #expect(finished && groupFinished)
        #expect(process.out == "65534\n")
        #expect(group.out == "\(getgid())\n", "supplementary groups: just the kept group")
    }

    @Test(.enabled(if: runningAsRoot, "switching to another group needs root"))
    func aGidAloneKeepsTheParentsUser() async {
        let (process, finished) = await runChild(["/bin/sh", "-c", "id -u; id -g"], gid: nobody)
        #expect(finished)
        #expect(process.out == "\(getuid())\n65534\n")
    }

    @Test(.enabled(if: runningAsRoot, "switching to another user needs root"))
    func theForkPathKeepsTheEnvironmentDirectoryAndPathLookupOfTheSpawnPath() async {
        let (process, finished) = await runChild(
            ["sh", "-c", "pwd; env"], environment: .exactly(["ONLY": "this"]), workingDirectory: "/", uid: nobody)
        #expect(finished)
        #expect(process.out == "/\nONLY=this\nPWD=/\n" || process.out == "/\nPWD=/\nONLY=this\n", "\(process.out.debugDescription)")
        let (empty, emptyFinished) = await runChild(["env"], uid: nobody)
        #expect(emptyFinished)
        #expect(empty.out == "", "the environment is empty by default on this path too")
    }

    @Test(.enabled(if: runningAsRoot, "switching to another user needs root"))
    func theChildGetsTheSameDescriptorsAndSignalsAsOnTheSpawnPath() async {
        // ls lists its own directory descriptor too; both paths must give the same list.
        let map: [Int32: ChildDescriptor] = [0: .pipeToChild, 1: .pipeFromChild, 2: .pipeFromChild, 5: .pipeFromChild]
        let listing = ["/bin/ls", "/proc/self/fd"]
        let (spawned, spawnedFinished) = await runChild(listing, childFDs: map)
        let (forked, forkedFinished) = await runChild(listing, uid: nobody, childFDs: map)
        #expect(spawnedFinished && forkedFinished)
        #expect(forked.out == spawned.out)
        #expect(forked.out.split(separator: "\n").count == 5, "\(forked.out.debugDescription)")

        let signals = ["/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"]
        let (forkedSignals, signalsFinished) = await runChild(signals, uid: nobody)
        #expect(signalsFinished)
        #expect(forkedSignals.out == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n")
    }

    @Test(.enabled(if: runningAsRoot, "switching to another user needs root"))
    func aMappedDescriptorReachesTheChild() async {
        let (process, finished) = await runChild(
            ["/bin/sh", "-c", "echo three >&3; echo out"], uid: nobody,
            childFDs: [0: .pipeToChild, 1: .pipeFromChild, 3: .pipeFromChild])
        #expect(finished)
        #expect(String(decoding: process.output[3] ?? [], as: UTF8.self) == "three\n")
        #expect(process.out == "out\n")
    }

    @Test func anInvalidUidFailsSynchronouslyAtSetuid() {
        expectSpawnFailure(uid: UInt32.max, gid: nil, call: runningAsRoot ? "setuid" : "setgroups", errno: runningAsRoot ? EINVAL : EPERM)
    }

    @Test func anInvalidGidFailsSynchronouslyAtSetgroups() {
        expectSpawnFailure(uid: nil, gid: UInt32.max, call: "setgroups", errno: runningAsRoot ? EINVAL : EPERM)
    }

    @Test(.enabled(if: runningAsRoot, "switching to another user needs root"))
    func anExecutableTheNewUserMayNotRunFailsSynchronouslyAtExecve() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twist-uid-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("run.sh")
        try "#!/bin/sh\necho ran\n".write(to: script, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        expectSpawnFailure(executable: script.path, uid: nobody, gid: nobody, call: "execve", errno: EACCES)
    }

    @Test func aMissingExecutableFailsSynchronouslyOnTheForkPathToo() {
        expectSpawnFailure(executable: "twist-no-such-program", uid: 0, gid: nil, call: "execve", errno: ENOENT)
        expectSpawnFailure(executable: "/nonexistent/twist-no-such-program", uid: 0, gid: nil, call: "execve", errno: ENOENT)
    }

    @Test func aMissingWorkingDirectoryFailsSynchronouslyAtChdir() {
        expectSpawnFailure(workingDirectory: "/nonexistent/twist-no-such-directory", uid: getuid(), gid: nil, call: "chdir", errno: ENOENT)
    }
}

/// Expects the spawn to throw ``ProcessSpawnError`` for `call` with `errno`, leaving the protocol
/// unconnected.
private func expectSpawnFailure(
    executable: String = "/bin/true", workingDirectory: String? = nil, uid: UInt32?, gid: UInt32?, call: String,
    errno expected: Int32, sourceLocation: SourceLocation = #_sourceLocation
) {
    let reactor = Reactor()
    let process = RecordingProcess()
    do {
        try reactor.spawnProcess(
            process, executable: executable, args: [executable], workingDirectory: workingDirectory, uid: uid, gid: gid)
        Issue.record("the spawn succeeded", sourceLocation: sourceLocation)
    } catch let error as ProcessSpawnError {
        #expect(error.call == call, "\(error)", sourceLocation: sourceLocation)
        #expect(error.osError == expected, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
    #expect(process.events.isEmpty, sourceLocation: sourceLocation)
}
