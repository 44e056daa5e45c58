import Foundation

/// Runs one of the scripts in `Benchmarks/twisted/` (`deferred_bench.py`, `receiver_bench.py`)
/// under CPython as a subprocess and reads its rows, so one command prints Twist and Twisted side
/// by side.
enum TwistedComparison {
    /// What the Python side reported: figures by row name, and the versions it ran with.
    struct Report {
        var values: [String: Double] = [:]
        var versions: String = ""
    }

    /// The script called `name` in `Benchmarks/twisted/`, found from this source file's path.
    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .appendingPathComponent("../../twisted/\(name)")
            .standardizedFileURL.path
    }

    /// Runs the script with `python` (looked up on PATH) and parses its `--tsv` output, or returns
    /// nil with a note on standard error when Python or Twisted is missing or the script fails.
    static func run(script name: String = "deferred_bench.py", python: String, quick: Bool) -> Report? {
        let script = script(name)
        guard runPython(python, ["-c", "import twisted"]) != nil else {
            FileHandle.standardError.write(Data("twist-microbench: '\(python) -c \"import twisted\"' failed; skipping the Twisted column (python3 -m pip install twisted)\n".utf8))
            return nil
        }
        var arguments = [script, "--tsv"]
        if quick { arguments.append("--quick") }
        guard let output = runPython(python, arguments) else {
            FileHandle.standardError.write(Data("twist-microbench: \(script) failed; skipping the Twisted column\n".utf8))
            return nil
        }
        var report = Report()
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            if fields.count == 2, fields[0] == "#versions" {
                report.versions = fields[1]
            } else if fields.count == 3, let value = Double(fields[2]) {
                report.values[fields[0]] = value
            }
        }
        return report
    }

    /// Runs `python arguments...` and returns its standard output, or nil if it did not exit 0.
    private static func runPython(_ python: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
