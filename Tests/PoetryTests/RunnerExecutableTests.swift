import Foundation
import Glibc
import Testing

/// The runner's options on a real server (netstring-echo): the pidfile, the log format and
/// level, and the exit statuses of its bad-input paths.
@Suite(.serialized, .timeLimit(.minutes(1))) struct RunnerExecutableTests {
    @Test func writesThePidfileLogsJSONAtInfoAndExitsZeroOnSIGTERM() async throws {
        let pidfile = FileManager.default.temporaryDirectory.appendingPathComponent("twist-runner-\(UUID().uuidString).pid").path
        let server = try await ServerProcess("netstring-echo", ["--pidfile", pidfile, "--log-level", "info", "--log-format", "json"])
        defer { server.stop() }
        let pid = try String(contentsOfFile: pidfile, encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(Int32(pid) != nil && kill(Int32(pid)!, 0) == 0)
        #expect(try await server.signal(SIGTERM, waitingAtMost: 5) == 0)
        #expect(!FileManager.default.fileExists(atPath: pidfile))
        let lines = server.printedErrors.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["message"] != nil, "not a JSON record: \(line)")
        }
        #expect(lines.contains { $0.contains("received signal 15: stopping the services") })
    }

    @Test func aSecondCopyOnTheSamePidfileExitsOneWithOneLine() async throws {
        let pidfile = FileManager.default.temporaryDirectory.appendingPathComponent("twist-runner-\(UUID().uuidString).pid").path
        let first = try await ServerProcess("netstring-echo", ["--pidfile", pidfile])
        defer { first.stop() }
        let second = try await runTool("netstring-echo", ["--pidfile", pidfile])
        #expect(second.status == 1)
        #expect(second.stderr.hasPrefix("Error: already running: pidfile \(pidfile) names live process"), "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count == 1, "\(second.stderr)")
        #expect(second.stdout.isEmpty)
    }

    @Test func anUnwritablePidfileExitsOneBeforeListening() async throws {
        let result = try await runTool("netstring-echo", ["--pidfile", "/nonexistent-twist/x.pid"])
        #expect(result.status == 1)
        #expect(result.stderr == "Error: cannot write pidfile /nonexistent-twist/x.pid: No such file or directory\n")
        #expect(result.stdout.isEmpty)  // nothing listened
    }

    @Test func anUnknownLogLevelIsAUsageError() async throws {
        let result = try await runTool("netstring-echo", ["--log-level", "loud"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--log-level"), "\(result.stderr)")
    }

    @Test func aPortInUseExitsOneWithOneLineAndClosesThePortsOpenedBeforeIt() async throws {
        let first = try await ServerProcess("netstring-echo", [])
        defer { first.stop() }
        let result = try await runTool("netstring-echo", ["--listen", "tcp:0:interface=127.0.0.1", "--listen", "tcp:\(first.port):interface=127.0.0.1"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("couldn't listen on 127.0.0.1:\(first.port)"), "\(result.stderr)")
    }

    @Test func anIdleConnectionIsClosedAndABusyOneIsNot() async throws {
        // Generous times, so a loaded machine (or a sanitizer build) cannot make the busy client
        // look idle: it talks every 0.25 s for 2.5 s against a 2 s timeout.
        let server = try await ServerProcess("netstring-echo", ["--idle-timeout", "2"])
        defer { server.stop() }
        let idle = try BlockingClient(port: server.port, timeout: 10)
        let busy = try BlockingClient(port: server.port, timeout: 10)
        for _ in 0..<10 {
            try busy.send("1:x,")
            #expect(try busy.receive(4) == "1:x,")
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(try idle.receiveUntilClosed() == "")  // closed by the server, within 10 s
        try busy.send("2:ok,")
        #expect(try busy.receive(5) == "2:ok,")
    }

    @Test func aPeerOverItsLimitIsRefusedWhileItsOtherConnectionsServeOn() async throws {
        let server = try await ServerProcess("netstring-echo", ["--max-connections-per-peer", "1"])
        defer { server.stop() }
        let first = try BlockingClient(port: server.port)
        try first.send("1:a,")
        #expect(try first.receive(4) == "1:a,")
        let second = try BlockingClient(port: server.port)
        #expect(try second.receiveUntilClosed() == "")
        try first.send("1:b,")
        #expect(try first.receive(4) == "1:b,")
        #expect(try await server.signal(SIGTERM, waitingAtMost: 5) == 0)
    }

    @Test func policyOptionsRejectNonsense() async throws {
        for arguments in [["--idle-timeout", "0"], ["--idle-timeout", "-1"], ["--max-connections-per-peer", "0"]] {
            let result = try await runTool("netstring-echo", arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
        }
    }

    @Test(arguments: ["handoff", "reuseport"])
    func twoReactorsServeOnePortWithEitherStrategyAndStopOnSIGTERM(strategy: String) async throws {
        let server = try await ServerProcess("netstring-echo", ["--reactors", "2", "--reactor-strategy", strategy])
        defer { server.stop() }
        let clients = try (0..<8).map { _ in try BlockingClient(port: server.port) }
        for (index, client) in clients.enumerated() {
            try client.send("1:\(index),")
        }
        for (index, client) in clients.enumerated() {
            #expect(try client.receive(4) == "1:\(index),")
        }
        #expect(try await server.signal(SIGTERM, waitingAtMost: 10) == 0)
    }

    @Test func aServerWithSharedStateRefusesSeveralReactors() async throws {
        let result = try await runTool("transformedpoetry", ["--reactors", "2"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("serves from one reactor"), "\(result.stderr)")
        let bad = try await runTool("netstring-echo", ["--reactors", "0"])
        #expect(bad.status == 2)
        let strategy = try await runTool("netstring-echo", ["--reactors", "2", "--reactor-strategy", "random"])
        #expect(strategy.status == 2)
    }
}
