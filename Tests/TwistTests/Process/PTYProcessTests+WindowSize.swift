import Glibc
import Testing
import Twist
import TwistTestSupport

/// The terminal's window size: set before the child starts (`terminal:`), and changed while it
/// runs (`setWindowSize`, which the child sees as SIGWINCH). In the serialized terminal suite.
extension PTYProcessTests {
    @Test func theWindowSizeIsSetBeforeTheChildStarts() async {
        let size = TerminalWindowSize(rows: 33, columns: 101)
        let (process, finished) = await runTerminalChild(
            ["/usr/bin/stty", "size"], terminal: PseudoTerminalOptions(windowSize: size))
        #expect(finished)
        #expect(process.out == "33 101\r\n")
        let (unsized, unsizedFinished) = await runTerminalChild(["/usr/bin/stty", "size"])
        #expect(unsizedFinished)
        #expect(unsized.out == "0 0\r\n", "without a size the kernel's default stays")
    }

    @Test func setWindowSizeChangesItWhileTheChildRuns() async {
        let (process, finished) = await runTerminalChild(
            ["/bin/sh", "-c", "stty size; read line; stty size"],
            terminal: PseudoTerminalOptions(windowSize: TerminalWindowSize(rows: 24, columns: 80))
        ) { process in
            process.onOutput = { process in
                guard process.out == "24 80\r\n" else { return }
                do {
                    try process.transport!.setWindowSize(TerminalWindowSize(rows: 50, columns: 132))
                } catch {
                    Issue.record("setWindowSize: \(error)")
                }
                process.transport!.write(Array("\n".utf8))
            }
        }
        #expect(finished)
        #expect(process.out == "24 80\r\n\r\n50 132\r\n", "\(process.out.debugDescription)")
        #expect(throws: ProcessNotOnTerminal()) {
            try process.transport?.setWindowSize(TerminalWindowSize(rows: 1, columns: 1))
        }
    }

    @Test func theChildIsSentSIGWINCH() async {
        let (process, finished) = await runTerminalChild(
            ["/usr/bin/bash", "-c", "trap 'echo winch; exit 0' WINCH; echo ready; while :; do sleep 0.05; done"]
        ) { process in
            process.onOutput = { process in
                guard process.out == "ready\r\n" else { return }
                try? process.transport!.setWindowSize(TerminalWindowSize(rows: 10, columns: 20))
            }
        }
        #expect(finished)
        #expect(process.out == "ready\r\nwinch\r\n")
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }

    @Test func aChildOnPipesHasNoWindowSize() async {
        let (process, finished) = await runChild(["/bin/true"]) { process in
            process.onConnected = { process in
                #expect(throws: ProcessNotOnTerminal()) {
                    try process.transport!.setWindowSize(TerminalWindowSize(rows: 24, columns: 80))
                }
            }
        }
        #expect(finished)
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }
}
