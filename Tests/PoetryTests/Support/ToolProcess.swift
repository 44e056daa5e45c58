import Foundation
import Glibc
import Testing

/// The directory holding the built executables: the one this test binary was built into.
let toolDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

/// How a finished tool run went.
struct ToolResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A fresh temporary file, removed by the caller.
private func temporaryFile(_ suffix: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("poetry-test-\(UUID().uuidString)-\(suffix)")
}

/// Runs one of the poetry executables to completion, in `environment` when given (this process's
/// otherwise); it is killed after `timeout` seconds.
func runTool(
    _ name: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double = 30
) async throws -> ToolResult {
    let out = temporaryFile("out")
    let err = temporaryFile("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    let process = Process()
    process.executableURL = toolDirectory.appendingPathComponent(name)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do {
            try process.run()
        } catch {
            continuation.resume(throwing: error)
            return
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [process] in
            if process.isRunning { process.terminate() }
        }
    }
    return ToolResult(
        status: status,
        stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
        stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self)
    )
}

/// A poetry server running as a child process; ``stop()`` terminates it and waits.
final class ServerProcess: Sendable {
    let name: String
    let port: Int
    private let process: Process
    private let output: URL
    private let errorOutput: URL

    /// Starts `name` with `arguments` and waits (at most 10 s) for its first complete line, which
    /// must end with the port it listens on, followed by a dot or not.
    init(_ name: String, _ arguments: [String]) async throws {
        self.name = name
        output = temporaryFile("\(name).out")
        errorOutput = temporaryFile("\(name).err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorOutput.path, contents: nil)
        process = Process()
        process.executableURL = toolDirectory.appendingPathComponent(name)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errorOutput)
        try process.run()
        var port: Int?
        for _ in 0..<500 where port == nil {
            let text = String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
            if text.contains("\n"), let line = text.split(separator: "\n").first {
                let number = line.hasSuffix(".") ? line.dropLast() : line[...]
                port = Int(String(number.reversed().prefix { $0.isNumber }.reversed()))
            }
            if port == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        guard let port else {
            process.terminate()
            throw ServerDidNotStart(name: name)
        }
        self.port = port
    }

    /// Everything the server printed so far.
    var printed: String {
        String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
    }

    /// Everything the server wrote to standard error so far (its log lines).
    var printedErrors: String {
        String(decoding: (try? Data(contentsOf: errorOutput)) ?? Data(), as: UTF8.self)
    }

    /// Sends `signal` and waits at most `timeout` seconds for the process to exit.
    ///
    /// - Returns: its exit status when it exited on its own within the time; nil when it did not
    ///   (it is then killed) or was ended by a signal.
    func signal(_ signal: Int32, waitingAtMost timeout: Double) async throws -> Int32? {
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(timeout)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// Sends SIGTERM and waits for the process to end.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: output)
        try? FileManager.default.removeItem(at: errorOutput)
    }

    struct ServerDidNotStart: Error {
        let name: String
    }
}
