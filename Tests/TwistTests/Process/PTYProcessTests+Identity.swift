import Glibc
import Testing
import Twist

/// `uid:`/`gid:` on a pseudo-terminal: in the serialized terminal suite, whose terminal
/// descriptor counts are its own.
extension PTYProcessTests {
    @Test(.enabled(if: runningAsRoot, "switching to another user needs root"))
    func onATerminalTheChildSwitchesAfterTakingItsTerminal() async {
        let before = terminalDescriptorCount()
        let (process, finished) = await runTerminalChild(["/bin/sh", "-c", "id -u; id -g; test -t 0 && : </dev/tty && tty"], uid: nobody, gid: nobody)
        #expect(finished)
        let lines = process.out.components(separatedBy: "\r\n")
        #expect(lines.prefix(2) == ["65534", "65534"], "\(process.out.debugDescription)")
        #expect(lines.count > 2 && lines[2].hasPrefix("/dev/pts/"))
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
        #expect(terminalDescriptorCount() == before)
    }

    @Test func onATerminalAFailedSwitchFailsSynchronouslyAndClosesTheTerminal() {
        let before = terminalDescriptorCount()
        let reactor = Reactor()
        let process = RecordingProcess()
        #expect {
            try reactor.spawnProcess(process, executable: "/bin/true", args: ["true"], uid: UInt32.max, usePTY: true)
        } throws: { error in
            (error as? ProcessSpawnError)?.call == "setuid"
        }
        #expect(process.events.isEmpty)
        #expect(terminalDescriptorCount() == before)
    }
}
