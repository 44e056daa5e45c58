import Testing
import Twist
import TwistTesting

/// Code written against TwistCore's ``ReactorProcess`` asks for a terminal, ids and a window
/// size; the fake records them and plays a terminal child.
@Suite struct FakeProcessTerminalTests {
    /// What a library written against the capability would do: run a program on a terminal.
    private func startShell(on reactor: some ReactorProcess, _ recorder: ProcessProtocol) throws -> any ProcessTransport {
        try reactor.spawnProcess(
            recorder, executable: "/bin/sh", args: ["sh", "-i"], environment: .inherit, workingDirectory: "/tmp",
            uid: 1000, gid: 100, childFDs: nil, usePTY: true,
            terminal: PseudoTerminalOptions(windowSize: TerminalWindowSize(rows: 40, columns: 120)))
    }

    @Test func theFakeRecordsATerminalSpawnAndItsWindowSizes() throws {
        let reactor = FakeProcessReactor()
        let recorder = OutputRecorder()
        let transport = try startShell(on: reactor, recorder)
        let spawn = try #require(reactor.spawns.first)
        #expect(spawn.usePTY)
        #expect(spawn.uid == 1000 && spawn.gid == 100)
        #expect(spawn.childFDs == nil)
        #expect(spawn.terminal.windowSize == TerminalWindowSize(rows: 40, columns: 120))
        #expect(spawn.transport.terminal == spawn.terminal)

        transport.write(Array("ls\n".utf8))
        #expect(spawn.transport.written[0] == Array("ls\n".utf8))
        spawn.transport.send(fd: 1, Array("a b\r\n".utf8))
        #expect(recorder.output == Array("a b\r\n".utf8))

        try transport.setWindowSize(TerminalWindowSize(rows: 50, columns: 132))
        #expect(spawn.transport.windowSizes == [TerminalWindowSize(rows: 50, columns: 132)])
        spawn.transport.closePipe(1)
        #expect(throws: ProcessNotOnTerminal()) { try transport.setWindowSize(TerminalWindowSize(rows: 1, columns: 1)) }
        #expect(spawn.transport.windowSizes.count == 1)
    }

    @Test func theFakeRecordsTerminalSettingsAtTheSpawnAndLater() throws {
        let reactor = FakeProcessReactor()
        let quiet = TerminalSettings(echo: false)
        let transport = try reactor.spawnProcess(
            OutputRecorder(), executable: "x", args: ["x"], usePTY: true, terminal: PseudoTerminalOptions(settings: quiet))
        let spawn = try #require(reactor.spawns.first)
        #expect(spawn.terminal.settings == quiet)
        #expect(try transport.terminalSettings() == quiet, "the spawn's settings until changed")
        let raw = TerminalSettings(echo: false, input: .raw, mapsNewlineToCRLF: false)
        try transport.setTerminalSettings(raw)
        #expect(spawn.transport.terminalSettingsChanges == [raw])
        #expect(try transport.terminalSettings() == raw)
        spawn.transport.closePipe(1)
        #expect(throws: ProcessNotOnTerminal()) { try transport.terminalSettings() }
        #expect(throws: ProcessNotOnTerminal()) { try transport.setTerminalSettings(.kernelDefault) }
        #expect(spawn.transport.terminalSettingsChanges == [raw])

        let plain = try reactor.spawnProcess(OutputRecorder(), executable: "x", args: ["x"], usePTY: true)
        #expect(try plain.terminalSettings() == .kernelDefault)
    }

    @Test func theFakeRefusesATerminalWithADescriptorMapAsAReactorDoes() {
        let reactor = FakeProcessReactor()
        let recorder = OutputRecorder()
        #expect(throws: TerminalWithChildDescriptors()) {
            try reactor.spawnProcess(recorder, executable: "x", args: ["x"], childFDs: ChildDescriptor.standard, usePTY: true)
        }
        #expect(reactor.spawns.isEmpty)
        #expect(recorder.transport == nil)
    }

    @Test func aPipeChildHasNoWindowSize() throws {
        let reactor = FakeProcessReactor()
        let transport = try reactor.spawnProcess(OutputRecorder(), executable: "x", args: ["x"])
        #expect(reactor.spawns.first?.usePTY == false)
        #expect(reactor.spawns.first?.uid == nil)
        #expect(throws: ProcessNotOnTerminal()) { try transport.setWindowSize(TerminalWindowSize(rows: 24, columns: 80)) }
        #expect(throws: ProcessNotOnTerminal()) { try transport.terminalSettings() }
        #expect(throws: ProcessNotOnTerminal()) { try transport.setTerminalSettings(.kernelDefault) }
    }
}

/// Collects stdout.
private final class OutputRecorder: ProcessProtocol {
    var output: [UInt8] = []
    override func outReceived(_ data: ArraySlice<UInt8>) throws { output.append(contentsOf: data) }
}
