import Testing
import Twist
import TwistTesting

/// The process fakes, and the utilities driven through them without a child.
@Suite struct FakeProcessTests {
    @Test func getProcessOutputCollectsStdoutAndFiresAtProcessEnded() throws {
        let reactor = FakeProcessReactor()
        var result: [UInt8]?
        _ = reactor.getProcessOutput("tool", args: ["-v"]).addCallback { result = $0 }
        let spawn = try #require(reactor.spawns.first)
        #expect(spawn.args == ["tool", "-v"])
        #expect(spawn.environment == .empty)
        spawn.transport.send(fd: 1, Array("a".utf8))
        spawn.transport.exit(Failure(ProcessTerminated(exitCode: 2, status: 512)))
        #expect(result == nil)  // pipes still open
        spawn.transport.loseConnection()
        #expect(result == Array("a".utf8))
    }

    @Test func getProcessOutputFailsAtOnceOnStderrAndClosesThePipes() throws {
        let reactor = FakeProcessReactor()
        var failure: Failure?
        _ = reactor.getProcessOutput("tool").addErrback { failure = $0; return [] }
        let transport = try #require(reactor.spawns.first?.transport)
        transport.send(fd: 2, Array("oops".utf8))
        #expect(failure?.check(UnexpectedErrorOutput.self)?.errorOutput == Array("oops".utf8))
        #expect(transport.openPipes.isEmpty)
    }

    @Test func theFakeTransportKeepsTwistedsOrderAndRefusals() throws {
        final class Recorder: ProcessProtocol {
            var events: [String] = []
            override func connectionMade() { events.append("made") }
            override func childConnectionLost(fd: Int32) throws { events.append("lost \(fd)") }
            override func processExited(reason: Failure) throws { events.append("exited") }
            override func processEnded(reason: Failure) throws { events.append("ended") }
        }
        let recorder = Recorder()
        let transport = FakeProcessTransport(recorder, childFDs: [0: .pipeToChild, 1: .pipeFromChild])
        transport.write(Array("x".utf8))
        #expect(throws: UnknownChildDescriptor(1)) { try transport.writeToChild(1, [1][...]) }
        try transport.signalProcess(15)
        transport.exit(Failure(ProcessDone()))
        #expect(throws: ProcessExitedAlready()) { try transport.signalProcess(15) }
        transport.closePipe(1)
        transport.closeStdin()
        #expect(recorder.events == ["made", "exited", "lost 1", "lost 0", "ended"])
        #expect(transport.written[0] == Array("x".utf8))
        #expect(transport.signals == [15])
    }
}
