import Foundation
import Glibc

/// A child process started with `posix_spawnp`, its standard output read line by line through a
/// pipe (standard error goes to a log file). Known by its pid from start to finish, so it can be
/// measured through /proc and stopped by pid.
final class Child {
    /// What went wrong starting, reading or stopping a child.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    let command: [String]
    private var output: Int32
    private var pending: [UInt8] = []
    private(set) var exitStatus: Int32?

    /// Starts `command` (looked up on PATH) with standard input from /dev/null.
    init(_ command: [String], errorLog: String) throws {
        self.command = command
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        // Neither end leaks into the child; its standard output is a dup2 of the write end.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, errorLog, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        let arguments = command.map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (arguments + environment).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, command[0], &actions, nil, arguments, environment)
        close(ends[1])
        guard status == 0 else {
            close(ends[0])
            throw Failure(description: "cannot start \(command[0]): \(String(cString: strerror(status)))")
        }
        self.pid = pid
        self.output = ends[0]
    }

    deinit {
        if exitStatus == nil { stop() }
        if output >= 0 { close(output) }
    }

    /// The next line of standard output, waiting at most `timeout` seconds; nil at end of output
    /// or on time-out.
    func readLine(timeout: Double) -> String? {
        let deadline = Clock.now + timeout
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let left = deadline - Clock.now
            guard left > 0, output >= 0 else { return nil }
            var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 1) * 1000) + 1)
            if ready < 0, errno != EINTR { return nil }
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count <= 0 {
                close(output)
                output = -1
                if pending.isEmpty { return nil }
                pending.append(UInt8(ascii: "\n"))
            } else {
                pending += chunk[..<count]
            }
        }
    }

    /// Waits up to `timeout` seconds for the child to exit; returns its status (128 + signal when
    /// a signal ended it), or nil if it is still running.
    @discardableResult
    func wait(timeout: Double) -> Int32? {
        let deadline = Clock.now + timeout
        while exitStatus == nil {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
            } else if result < 0, errno != EINTR {
                exitStatus = -1
            } else if Clock.now >= deadline {
                return nil
            } else {
                usleep(5_000)
            }
        }
        return exitStatus
    }

    /// Sends SIGTERM, waits up to `grace` seconds, then SIGKILL; returns the exit status.
    @discardableResult
    func stop(grace: Double = 5) -> Int32? {
        guard exitStatus == nil else { return exitStatus }
        kill(pid, SIGTERM)
        if let status = wait(timeout: grace) { return status }
        kill(pid, SIGKILL)
        return wait(timeout: 5)
    }
}

/// Monotonic seconds.
enum Clock {
    static var now: Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
