import Foundation
import Glibc

/// Everything a run wrote to results.json.
struct Report: Codable {
    var command: String
    var machine: Machine
    var twisted: String?
    var pinned: Bool
    var runs: Int
    var warmupSeconds: Double
    var durationSeconds: Double
    var elapsedSeconds: Double
    /// The 1-minute load average when the run ended.
    var loadAverageAtEnd: Double
    var scenarios: [[String: String]]
    var summary: [Summary]
    var samples: [Sample]
}

/// The machine a run was measured on.
struct Machine: Codable {
    var cpu: String
    var cpus: Int
    var kernel: String
    var date: String
    /// The 1-minute load average when the run started (the machine may be shared).
    var loadAverage: Double

    var summary: String {
        "\(cpus) × \(cpu), Linux \(kernel), load average \(String(format: "%.2f", loadAverage)) at start, \(date)"
    }

    /// The 1-minute load average now.
    static func loadAverageNow() -> Double {
        (ProcessStats.readFile("/proc/loadavg") ?? "").split(separator: " ").first.flatMap { Double($0) } ?? 0
    }

    static func describe() -> Machine {
        let cpuinfo = ProcessStats.readFile("/proc/cpuinfo") ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let load = loadAverageNow()
        let formatter = ISO8601DateFormatter()
        return Machine(
            cpu: model, cpus: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), kernel: kernel,
            date: formatter.string(from: Date()), loadAverage: load)
    }
}

/// Finds the real interpreter behind `python` (not a wrapper script, so its pid is the server's)
/// and Twisted's version, or nil when Twisted cannot be imported.
enum TwistedPython {
    static func locate(_ python: String) -> (executable: String, version: String)? {
        guard let child = try? Child(
            [python, "-c", "import sys, twisted; print(sys.executable); print(twisted.__version__)"],
            errorLog: "/dev/null")
        else { return nil }
        let executable = child.readLine(timeout: 30)
        let version = child.readLine(timeout: 5)
        guard child.wait(timeout: 10) == 0, let executable, let version else { return nil }
        return (executable, "Twisted \(version)")
    }
}
