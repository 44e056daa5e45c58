import Glibc
import Testing
import Twist
import TwistTestSupport

/// The terminal's typed settings: applied before the child starts (`terminal.settings`), read and
/// changed while it runs. In the serialized terminal suite.
extension PTYProcessTests {
    @Test func theSettingsAreAppliedBeforeTheChildStarts() async {
        let settings = TerminalSettings(echo: false, input: .raw, mapsNewlineToCRLF: false)
        let (process, finished) = await runTerminalChild(
            ["/usr/bin/stty", "-a"], terminal: PseudoTerminalOptions(settings: settings))
        #expect(finished)
        let words = Set(process.out.split(whereSeparator: { $0.isWhitespace || $0 == ";" }).map(String.init))
        #expect(words.isSuperset(of: ["-echo", "-icanon", "-isig", "-icrnl", "-onlcr"]), "\(process.out)")
        #expect(!process.out.contains("\r"), "without onlcr the child's newlines arrive as they are")
        #expect(process.endedReason?.check(ProcessDone.self) != nil)

        let (defaults, defaultsFinished) = await runTerminalChild(["/usr/bin/stty", "-a"])
        #expect(defaultsFinished)
        let defaultWords = Set(defaults.out.split(whereSeparator: { $0.isWhitespace || $0 == ";" }).map(String.init))
        #expect(defaultWords.isSuperset(of: ["echo", "icanon", "isig", "icrnl", "onlcr"]), "\(defaults.out)")
    }

    @Test func withEchoOffAWrittenLineIsReadButNotEchoedBack() async {
        let (process, finished) = await runTerminalChild(
            ["/bin/sh", "-c", "read line; echo \"got $line\""],
            terminal: PseudoTerminalOptions(settings: TerminalSettings(echo: false))
        ) { process in
            process.onConnected = { process in process.transport!.write(Array("secret\n".utf8)) }
        }
        #expect(finished)
        #expect(process.out == "got secret\r\n", "\(process.out.debugDescription)")
    }

    @Test func rawInputHandsTheChildBytesBeforeAnyNewline() async {
        // `head -c 3` returns after three bytes; on a canonical terminal it would wait for a line.
        let (process, finished) = await runTerminalChild(
            ["/usr/bin/head", "-c", "3"],
            terminal: PseudoTerminalOptions(settings: TerminalSettings(echo: false, input: .raw))
        ) { process in
            process.onConnected = { process in process.transport!.write(Array("abc".utf8)) }
        }
        #expect(finished)
        #expect(process.out == "abc")
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }

    @Test func theSettingsAreReadAndChangedWhileTheChildRuns() async {
        let seen = Shared<[TerminalSettings]>([])
        let (process, finished) = await runTerminalChild(["cat"]) { process in
            process.onConnected = { process in
                do {
                    let before = try process.transport!.terminalSettings()
                    try process.transport!.setTerminalSettings(TerminalSettings(echo: false))
                    let after = try process.transport!.terminalSettings()
                    seen.mutate { $0 += [before, after] }
                } catch {
                    Issue.record("terminal settings: \(error)")
                }
                process.transport!.write(Array("once\n".utf8))
            }
            process.onOutput = { process in
                if process.out == "once\r\n" { process.transport!.closeStdin() }
            }
        }
        #expect(finished)
        #expect(seen.value == [.kernelDefault, TerminalSettings(echo: false)])
        #expect(process.out == "once\r\n", "cat's copy only: the terminal no longer echoes")
        #expect(throws: ProcessNotOnTerminal()) { try process.transport?.terminalSettings() }
        #expect(throws: ProcessNotOnTerminal()) { try process.transport?.setTerminalSettings(TerminalSettings.kernelDefault) }
    }

    @Test func theSettingsTheChildMakesItselfAreRead() async {
        let read = Shared<TerminalSettings?>(nil)
        let (_, finished) = await runTerminalChild(["/bin/sh", "-c", "stty -echo -onlcr; echo set; read line"]) { process in
            process.onOutput = { process in
                guard process.out.hasSuffix("set\n"), read.value == nil else { return }
                read.value = try? process.transport!.terminalSettings()
                process.transport!.write(Array("\n".utf8))
            }
        }
        #expect(finished)
        #expect(read.value == TerminalSettings(echo: false, input: .canonical, mapsNewlineToCRLF: false))
    }

    @Test func aChildOnPipesHasNoTerminalSettings() async {
        let (process, finished) = await runChild(["/bin/true"]) { process in
            process.onConnected = { process in
                #expect(throws: ProcessNotOnTerminal()) { try process.transport!.terminalSettings() }
                #expect(throws: ProcessNotOnTerminal()) { try process.transport!.setTerminalSettings(.kernelDefault) }
            }
        }
        #expect(finished)
        #expect(process.endedReason?.check(ProcessDone.self) != nil)
    }
}
