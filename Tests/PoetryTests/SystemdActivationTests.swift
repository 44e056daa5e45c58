import Foundation
import Glibc
import Testing

/// A child process started with `posix_spawn`, its standard output and error in temporary files.
private final class SpawnedTool {
    let pid: pid_t
    let output: String
    let errors: String

    /// Runs `program` with `arguments` (argv[0] included) and `environment`, with `inherited` as its
    /// descriptor 3 and standard input from /dev/null.
    init(_ program: String, _ arguments: [String], environment: [String: String], inherited: Int32) throws {
        let stamp = UUID().uuidString
        output = FileManager.default.temporaryDirectory.appendingPathComponent("systemd-\(stamp).out").path
        errors = FileManager.default.temporaryDirectory.appendingPathComponent("systemd-\(stamp).err").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, inherited, 3)
        // The child starts with no signal blocked and every signal at its default, whatever the
        // spawning thread had (as Foundation's Process does).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        guard result == 0 else { throw BlockingClient.Failed(description: "posix_spawn \(program): errno \(result)") }
        self.pid = pid
    }

    /// What the tool printed so far.
    var printed: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
    /// What the tool wrote to standard error so far.
    var printedErrors: String { (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "" }

    /// Waits at most `timeout` seconds for a first line on standard output.
    func firstLine(waitingAtMost timeout: Double) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if let line = printed.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first {
                return String(line)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Kills the tool if it still runs and reaps it (its status is not wanted here: the activation
    /// test reads the status its watching shell recorded).
    deinit {
        var status: Int32 = 0
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        unlink(output)
        unlink(errors)
    }
}

/// A TCP socket listening on 127.0.0.1 at a free port, made here in the test with plain system
/// calls, close-on-exec and at a descriptor number of 100 or more (so it is never 3 itself).
private func listeningSocketOnLoopback() throws -> (fd: Int32, port: Int) {
    let made = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard made >= 0 else { throw BlockingClient.Failed(description: "socket: errno \(errno)") }
    let fd = fcntl(made, F_DUPFD_CLOEXEC, 100)
    close(made)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound, listen(fd, 16) == 0 else {
        close(fd)
        throw BlockingClient.Failed(description: "bind/listen: errno \(errno)")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// Socket activation end to end (spec item 63): `netstring-echo --listen systemd:...` serves on a
/// socket the test bound and handed over as descriptor 3 with `LISTEN_FDS`/`LISTEN_PID`, as
/// systemd does.
@Suite(.serialized, .timeLimit(.minutes(1))) struct SystemdActivationTests {
    @Test func netstringEchoServesOnTheInheritedSocketAndExitsZeroOnSIGTERM() async throws {
        let (listener, port) = try listeningSocketOnLoopback()
        defer { close(listener) }
        var environment = ProcessInfo.processInfo.environment
        environment["LISTEN_FDS"] = "1"
        environment["LISTEN_PID"] = nil
        environment["LISTEN_FDNAMES"] = nil
        // The shell learns its own process ID and keeps it through exec, so LISTEN_PID names the
        // server, as systemd would have it.
        // A watching shell starts the server in the background and writes its exit status to a
        // file: a reactor's libev default loop in this test process may reap any child
        // (waitpid(-1)) before the test can, so the status cannot come from waitpid here.
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("systemd-\(UUID().uuidString)").path
        defer { unlink(files + ".pid"); unlink(files + ".status") }
        let tool = try SpawnedTool(
            "/bin/sh",
            ["sh", "-c", """
                sh -c 'LISTEN_PID=$$ exec "$0" --listen systemd:domain=INET:index=0' "$0" & echo $! > "$1.pid"
                wait $!; echo $? > "$1.status"
                """,
             toolDirectory.appendingPathComponent("netstring-echo").path, files],
            environment: environment, inherited: listener
        )
        let line = try await tool.firstLine(waitingAtMost: 10)
        #expect(line == "Serving netstring echo on 127.0.0.1:\(port).", "stderr: \(tool.printedErrors)")

        let payload = "inherited from the test"
        let netstring = "\(payload.utf8.count):\(payload),"
        let client = try BlockingClient(port: port)
        try client.send(netstring)
        #expect(try client.receive(netstring.utf8.count) == netstring)

        let server = try #require(pid_t((try String(contentsOfFile: files + ".pid", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(server, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        var status: String?
        while status == nil, ContinuousClock.now < deadline {
            status = (try? String(contentsOfFile: files + ".status", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if status?.isEmpty ?? true { status = nil; try await Task.sleep(for: .milliseconds(10)) }
        }
        if status == nil { kill(server, SIGKILL) }
        #expect(status == "0", "server exit status \(status ?? "none within 10 s"); stderr: \(tool.printedErrors)")
        #expect(tool.printedErrors.isEmpty, "\(tool.printedErrors)")
        // The test's own descriptor still listens after the server exited.
        var listening: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0 && listening == 1)
    }

    @Test func withoutLISTEN_PIDForItNothingIsInheritedAndTheDescriptionIsAUsageError() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LISTEN_FDS"] = "1"
        environment["LISTEN_PID"] = "1"  // somebody else's sockets: nothing is ours to inherit
        let result = try await runTool("netstring-echo", ["--listen", "systemd:domain=INET:index=0"], environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad --listen 'systemd:domain=INET:index=0'"), "\(result.stderr)")
        #expect(result.stderr.contains("inherited none"), "\(result.stderr)")
    }
}
