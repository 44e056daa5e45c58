import ArgumentParser
import CSoakSupport
import Glibc
import SoakKit

/// The fault and soak runner: starts `twist-soak-server` (by pid), drives each scenario over
/// loopback, prints one line per scenario with its figures and PASS/FAIL, and exits non-zero on
/// any failure. Every server it starts is stopped before it exits.
@main
struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twist-soak",
        abstract: "Runs Twist's fault and soak scenarios against twist-soak-server.",
        discussion: """
            Scenarios: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")). \
            The full run takes a few minutes on a 2-core machine; --quick is the CI version. \
            Bounds and what each scenario injects are in Docs/Reliability.md.
            """
    )

    @Flag(help: "The short version for CI (10,000 churn connections, 1,000 idle, ...).")
    var quick = false

    @Option(help: "Run only these scenarios (comma-separated).")
    var only: String?

    @Option(help: "The seed of the random payloads.")
    var seed: UInt64 = 0x7457_6973_74

    @Option(help: "The twist-soak-server executable (default: next to this one).")
    var server: String?

    @Flag(help: "Do not bound the churn's RSS growth (for a sanitizer-instrumented server, whose allocator keeps freed memory in quarantine).")
    var noRssBound = false

    func validate() throws {
        for name in selectedNames where Scenario(rawValue: name) == nil {
            throw ValidationError("no such scenario: \(name) (known: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    private var selectedNames: [String] {
        only.map { $0.split(separator: ",").map(String.init) } ?? Scenario.allCases.map(\.rawValue)
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let limit = soak_raise_nofile(1 << 20)
        var config = SoakConfig(quick: quick, seed: seed)
        if noRssBound { config.churnRSSBoundKiB = .max }
        let selected = Scenario.allCases.filter { selectedNames.contains($0.rawValue) }
        let serverPath = server ?? Self.siblingExecutable("twist-soak-server")
        let logDirectory = Self.makeLogDirectory()
        print("twist-soak \(quick ? "--quick" : "(full)"): seed \(seed), descriptor limit \(limit), server logs in \(logDirectory)")
        let started = monotonicNow()
        var results: [ScenarioResult] = []
        for group in ServerGroup.allCases {
            let scenarios = selected.filter { $0.group == group }
            guard !scenarios.isEmpty else { continue }
            results += runGroup(group, scenarios, config: config, serverPath: serverPath, logDirectory: logDirectory)
        }
        let failed = results.filter { !$0.passed }.count
        print("twist-soak: \(results.count - failed) passed, \(failed) failed in \(Int(monotonicNow() - started)) s")
        if failed > 0 { throw ExitCode(1) }
    }

    /// Starts the group's server, runs its scenarios in order, and stops it.
    private func runGroup(
        _ group: ServerGroup, _ scenarios: [Scenario], config: SoakConfig, serverPath: String, logDirectory: String
    ) -> [ScenarioResult] {
        var results: [ScenarioResult] = []
        let process: ServerProcess
        do {
            process = try ServerProcess(
                path: serverPath, arguments: group.serverArguments(config), stderrPath: "\(logDirectory)/\(group.rawValue).stderr")
        } catch {
            for scenario in scenarios { results.append(Self.failed(scenario.rawValue, "\(error)")) }
            return results
        }
        defer { if process.isRunning { process.stop() } }
        let context: SoakContext
        do {
            context = try SoakContext(server: process, config: config)
        } catch {
            for scenario in scenarios { results.append(Self.failed(scenario.rawValue, "\(error)")) }
            return results
        }
        for scenario in scenarios {
            let began = monotonicNow()
            var result: ScenarioResult
            do {
                result = try scenario.run(context)
            } catch {
                result = Self.failed(scenario.rawValue, "\(error)")
            }
            result.note(secs(monotonicNow() - began))
            if !process.isRunning, scenario != .shutdown {
                result.check(false, "the server ended with status \(process.exitStatus ?? -1); its stderr ends: \(process.stderrTail())")
            }
            print(result.report)
            results.append(result)
        }
        if group != .shutdown {
            // A graceful stop (exit 0) also shows the server never died of SIGPIPE or anything else.
            let status = process.stop()
            if status != 0 {
                var result = ScenarioResult(name: "\(group.rawValue) server exit")
                result.check(false, "status \(status.map(String.init) ?? "none: killed after 20 s"), want 0")
                print(result.report)
                results.append(result)
            }
        }
        return results
    }

    private static func failed(_ name: String, _ why: String) -> ScenarioResult {
        var result = ScenarioResult(name: name)
        result.check(false, why)
        return result
    }

    /// The path of `name` in the directory of this executable.
    private static func siblingExecutable(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4_096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return name }
        let path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/") + "/" + name
    }

    private static func makeLogDirectory() -> String {
        var template = Array("/tmp/twist-soak.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return "/tmp" }
        return String(cString: made)
    }
}
