import Foundation
import Logging
import Testing
import Twist
import TwistCommandLine
import TwistTestSupport

/// A service that records its start and stop, and stops as told: at once, never, or failing.
private final class ScriptedService: Service {
    enum StopBehaviour { case atOnce, never, failing }
    let stopBehaviour: StopBehaviour
    let startFails: Bool
    let journal: JournalBox

    init(_ name: String, journal: JournalBox, stop: StopBehaviour = .atOnce, startFails: Bool = false) {
        self.stopBehaviour = stop
        self.startFails = startFails
        self.journal = journal
        super.init(name: name)
    }

    override func startService() throws {
        if startFails { throw Refused() }
        try super.startService()
        journal.entries.append("start \(name!)")
    }

    override func stopService() -> Deferred<Void>? {
        _ = super.stopService()
        journal.entries.append("stop \(name!)")
        switch stopBehaviour {
        case .atOnce: return nil
        case .never: return Deferred()
        case .failing: return fail(Refused())
        }
    }
}

private final class JournalBox { var entries: [String] = [] }
private struct Refused: Error, CustomStringConvertible { var description: String { "refused" } }

/// What one in-process run of a runner ended with.
private struct RunReport: Sendable {
    var error: String?
    var journal: [String]
    var port: Int?
}

/// Runs a runner on its own thread with `arguments` as its command line; `configure` adds the
/// services and says how the run is ended; a watchdog crashes the (first) reactor after 10 s.
private func run(
    _ arguments: [String] = [],
    _ configure: @escaping @Sendable (TwistRunner, JournalBox) throws -> Void
) async -> RunReport {
    await onOwnThread {
        let journal = JournalBox()
        do {
            let options = try ServerOptions.parse(arguments)
            // With --reactors above 1 the runner makes its own group (and its reactors).
            let reactor = options.reactors > 1
                ? nil : Reactor(logger: Logger(label: "twist.test") { _ in SwiftLogNoOpLogHandler() })
            let runner = TwistRunner(options: options, reactor: reactor, stopSignals: [SIGWINCH])
            try configure(runner, journal)
            runner.reactor.callLater(10) { runner.reactor.crash() }
            try runner.run()
            return RunReport(error: nil, journal: journal.entries)
        } catch {
            return RunReport(error: "\(error)", journal: journal.entries)
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct TwistRunnerTests {
    @Test func startsInOrderAndAStopStopsInReverseThenReturns() async {
        let report = await run { runner, journal in
            for name in ["a", "b", "c"] { try runner.addService(ScriptedService(name, journal: journal)) }
            runner.reactor.callWhenRunning { try runner.reactor.stop() }
        }
        #expect(report.error == nil)
        #expect(report.journal == ["start a", "start b", "start c", "stop c", "stop b", "stop a"])
    }

    @Test func aSignalStopsGracefully() async {
        let report = await run { runner, journal in
            try runner.addService(ScriptedService("a", journal: journal))
            runner.reactor.callWhenRunning { raise(SIGWINCH) }
        }
        #expect(report.error == nil)
        #expect(report.journal == ["start a", "stop a"])
    }

    @Test func aSecondSignalDuringTheStopStopsAtOnce() async {
        let report = await run(["--shutdown-grace", "30"]) { runner, journal in
            try runner.addService(ScriptedService("slow", journal: journal, stop: .never))
            runner.reactor.callWhenRunning {
                raise(SIGWINCH)
                runner.reactor.callLater(0.2) { raise(SIGWINCH) }
            }
        }
        #expect(report.error == "stopped at once (a second signal, \(SIGWINCH)), without waiting for the services")
        #expect(report.journal == ["start slow", "stop slow"])
    }

    @Test func aSecondSignalStopsAGroupOfReactorsAtOnceAndClosesItsPort() async throws {
        let port = Shared<Int?>(nil)
        let report = await run(["--reactors", "2", "--listen", "tcp:0:interface=127.0.0.1", "--shutdown-grace", "30"]) {
            runner, journal in
            try runner.listen(perReactor: { _ in Factory { Protocol() } }) { port.value = $0.address.ip?.port }
            try runner.addService(ScriptedService("slow", journal: journal, stop: .never))
            runner.reactor.callWhenRunning {
                raise(SIGWINCH)
                runner.reactor.callLater(0.2) { raise(SIGWINCH) }
            }
        }
        #expect(report.error == "stopped at once (a second signal, \(SIGWINCH)), without waiting for the services")
        #expect(report.journal == ["start slow", "stop slow"])
        let opened = try #require(port.value)
        #expect(connectOnceToLoopback(port: opened) == ECONNREFUSED)
    }

    @Test func aServiceThatDoesNotStopWithinTheGraceEndsTheRunWithAnError() async {
        let report = await run(["--shutdown-grace", "0.2"]) { runner, journal in
            try runner.addService(ScriptedService("stuck", journal: journal, stop: .never))
            runner.reactor.callWhenRunning { try runner.reactor.stop() }
        }
        #expect(report.error == "the services had not stopped after 0.2 s; stopped anyway")
    }

    @Test func aFailedStopIsReportedAfterEveryServiceStopped() async {
        let report = await run { runner, journal in
            try runner.addService(ScriptedService("a", journal: journal))
            try runner.addService(ScriptedService("b", journal: journal, stop: .failing))
            runner.reactor.callWhenRunning { try runner.reactor.stop() }
        }
        #expect(report.error?.hasPrefix("stopped, but 1 service(s) failed to stop: ScriptedService \"b\": refused") == true)
        #expect(report.journal == ["start a", "start b", "stop b", "stop a"])
    }

    @Test func aFailedStartClosesThePortsAlreadyOpenAndNeverRunsTheReactor() async throws {
        let port = Shared<Int?>(nil)
        let report = await run(["--listen", "tcp:0:interface=127.0.0.1"]) { runner, journal in
            try runner.listen(Factory { Protocol() }) { port.value = $0.address.ip?.port }
            try runner.addService(ScriptedService("bad", journal: journal, startFails: true))
            runner.reactor.callWhenRunning { journal.entries.append("the reactor ran") }
        }
        #expect(report.error?.contains("ScriptedService \"bad\" failed to start: refused") == true)
        #expect(report.journal.isEmpty)
        let opened = try #require(port.value)
        #expect(connectOnceToLoopback(port: opened) == ECONNREFUSED)
    }

    @Test func aBadListenDescriptionIsAUsageError() async {
        let report = await run(["--listen", "tcp:nonsense"]) { runner, _ in
            try runner.listen(Factory { Protocol() }) { _ in }
        }
        #expect(report.error?.contains("bad --listen 'tcp:nonsense'") == true)
    }

    @Test func thePidfileNamesTheProcessWhileItRunsAndIsRemovedAfter() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twist-runner-\(UUID().uuidString).pid").path
        let seen = Shared<String?>(nil)
        let report = await run(["--pidfile", path]) { runner, _ in
            runner.reactor.callWhenRunning {
                seen.value = try? String(contentsOfFile: path, encoding: .utf8)
                try runner.reactor.stop()
            }
        }
        #expect(report.error == nil)
        #expect(seen.value == "\(getpid())\n")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aPidfileThatCannotBeWrittenStartsNothing() async {
        let report = await run(["--pidfile", "/nonexistent-twist/x.pid"]) { runner, journal in
            try runner.addService(ScriptedService("a", journal: journal))
        }
        #expect(report.error == "cannot write pidfile /nonexistent-twist/x.pid: No such file or directory")
        #expect(report.journal.isEmpty)
    }
}
