import CSoakSupport
public import Glibc

/// A `twist-soak-server` child process, started and stopped by its pid.
public final class ServerProcess {
    /// The child's pid.
    public let pid: pid_t
    /// Its ports on 127.0.0.1.
    public let echoPort: Int
    public let transformPort: Int
    public let statsPort: Int
    /// Where its standard error goes.
    public let stderrPath: String
    private let stdoutFD: Int32
    private var pendingOutput: [UInt8] = []
    /// Lines it printed after the ports line, as read so far.
    public private(set) var outputLines: [String] = []
    /// Its exit status once it ended (a code, or 128 + the signal).
    public private(set) var exitStatus: Int32?

    /// Starts `path` with `arguments` and waits (up to 30 s) for its ports line.
    public init(path: String, arguments: [String], stderrPath: String) throws(LoadError) {
        let argv = [path] + arguments
        var readEnd: Int32 = -1
        let cStrings = argv.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers: [UnsafeMutablePointer<CChar>?] = cStrings + [nil]
        let pid = pointers.withUnsafeMutableBufferPointer { soak_spawn($0.baseAddress, &readEnd, stderrPath) }
        guard pid > 0 else { throw LoadError("cannot start \(path): \(String(cString: strerror(errno)))") }
        self.pid = pid
        self.stdoutFD = readEnd
        self.stderrPath = stderrPath
        var ports: [String: Int] = [:]
        let deadline = monotonicNow() + 30
        while ports["echo"] == nil {
            guard let line = ServerProcess.readLine(readEnd, &pendingOutput, until: deadline) else {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                Glibc.close(readEnd)
                throw LoadError("\(path) printed no ports line (see \(stderrPath))")
            }
            guard line.hasPrefix("ports ") else { continue }
            for field in line.split(separator: " ").dropFirst() {
                let pair = field.split(separator: "=")
                if pair.count == 2, let value = Int(pair[1]) { ports[String(pair[0])] = value }
            }
        }
        echoPort = ports["echo"] ?? 0
        transformPort = ports["transform"] ?? 0
        statsPort = ports["stats"] ?? 0
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        Glibc.close(stdoutFD)
    }

    /// True while the process has not ended (it is reaped if it has).
    public var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        if soak_try_wait(pid, &status) == 1 { exitStatus = status }
        return exitStatus == nil
    }

    /// Sends `signal` to the server.
    public func send(signal: Int32) { kill(pid, signal) }

    /// Waits up to `timeout` seconds for the process to end, collecting its output; returns its
    /// status, or nil if it is still running.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = monotonicNow() + timeout
        while isRunning, monotonicNow() < deadline {
            collectOutput(until: min(deadline, monotonicNow() + 0.01))
        }
        collectOutput(until: monotonicNow() + 0.2)
        return exitStatus
    }

    /// Stops the server: SIGTERM, up to `timeout` seconds, then SIGKILL. Returns the exit status
    /// after SIGTERM (0 for a graceful stop), or nil if it had to be killed.
    @discardableResult
    public func stop(timeout: Double = 20) -> Int32? {
        if isRunning { send(signal: SIGTERM) }
        if let status = waitForExit(timeout: timeout) { return status }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus = 128 + SIGKILL
        return nil
    }

    /// Reads what the server printed until `deadline` or end of file.
    public func collectOutput(until deadline: Double) {
        while let line = ServerProcess.readLine(stdoutFD, &pendingOutput, until: deadline) {
            outputLines.append(line)
        }
    }

    /// The last lines of the server's standard error, for a failure report.
    public func stderrTail(lines: Int = 5) -> String {
        let fd = open(stderrPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { Glibc.close(fd) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            content += chunk[0..<count]
            if content.count > 1 << 20 { content.removeFirst(content.count - (1 << 19)) }
        }
        return String(decoding: content, as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// One line from `fd` (a pipe), waiting until `deadline`; nil at end of file or the deadline.
    private static func readLine(_ fd: Int32, _ pending: inout [UInt8], until deadline: Double) -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            let left = deadline - monotonicNow()
            if left <= 0 { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, left * 1000)))
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 4_096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return nil }
            pending += chunk[0..<count]
        }
    }
}
