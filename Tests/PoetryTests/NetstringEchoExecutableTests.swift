import Foundation
import Glibc
import Testing

/// A blocking TCP client on 127.0.0.1 whose every receive gives up after a few seconds, so a
/// broken server fails the test instead of hanging it.
final class BlockingClient {
    private let fd: Int32

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    init(port: Int, timeout: Int = 5) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        fd = try Self.connected(AF_INET, to: &address, timeout: timeout, naming: "port \(port)")
    }

    /// A client of the UNIX socket at `path`.
    init(unixPath path: String, timeout: Int = 5) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        fd = try Self.connected(AF_UNIX, to: &address, timeout: timeout, naming: path)
    }

    /// A blocking socket of `family`, with send and receive timeouts, connected to `address`.
    private static func connected<SocketAddress>(
        _ family: Int32, to address: inout SocketAddress, timeout: Int, naming name: String
    ) throws -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "socket: errno \(errno)") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<SocketAddress>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw Failed(description: "connect to \(name): errno \(code)")
        }
        return fd
    }

    deinit { close(fd) }

    /// Sends all of `text`.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failed(description: "send: errno \(errno)") }
            sent += count
        }
    }

    /// Reads until `count` bytes came, the peer closed, or the timeout passed (which throws).
    func receive(_ count: Int) throws -> String {
        var received: [UInt8] = []
        while received.count < count {
            guard let chunk = try readChunk() else { break }
            received += chunk
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Reads until the peer closes (end of file); throws if it has not within the timeout.
    func receiveUntilClosed() throws -> String {
        var received: [UInt8] = []
        while let chunk = try readChunk() { received += chunk }
        return String(decoding: received, as: UTF8.self)
    }

    /// One read: the bytes, or nil at end of file.
    private func readChunk() throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return nil }
        guard count > 0 else { throw Failed(description: "recv: errno \(errno) (timed out or reset)") }
        return Array(buffer[0..<count])
    }
}

/// `payload` framed as a netstring.
private func framed(_ payload: String) -> String { "\(payload.utf8.count):\(payload)," }

/// The netstring-echo executable, end to end over loopback.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NetstringEchoExecutableTests {
    @Test func echoesNetstringsClosesOnlyABadConnectionAndExitsZeroOnSIGTERM() async throws {
        let server = try await ServerProcess("netstring-echo", [])
        defer { server.stop() }
        #expect(server.printed == "Serving netstring echo on 127.0.0.1:\(server.port).\n")

        let first = try BlockingClient(port: server.port)
        let two = framed("hello") + framed("") + framed("wörld, with a comma")
        try first.send(two)
        #expect(try first.receive(two.utf8.count) == two)

        // One netstring split across writes (and so, with the pause, across reads).
        let split = framed("split across writes")
        for part in [split.prefix(1), split.dropFirst(1).prefix(4), split.dropFirst(5)] {
            try first.send(String(part))
            try await Task.sleep(for: .milliseconds(30))
        }
        #expect(try first.receive(split.utf8.count) == split)

        // A bad netstring: what came before it is echoed, then only that connection closes.
        let bad = try BlockingClient(port: server.port)
        try bad.send(framed("fine") + "x:oops,")
        #expect(try bad.receiveUntilClosed() == framed("fine"))
        #expect(server.printedErrors.contains("malformed netstring at byte 7: expected a length digit, found 'x'"))
        #expect(server.printedErrors.contains("closing the connection"))

        // The server keeps serving: the first connection, and a new one.
        try first.send(framed("still here"))
        #expect(try first.receive(framed("still here").utf8.count) == framed("still here"))
        let second = try BlockingClient(port: server.port)
        try second.send(framed("second"))
        #expect(try second.receive(framed("second").utf8.count) == framed("second"))

        #expect(try await server.signal(SIGTERM, waitingAtMost: 5) == 0)
        // Standard output held the one "Serving" line and nothing else.
        #expect(server.printed == "Serving netstring echo on 127.0.0.1:\(server.port).\n")
    }

    @Test func rawEchoesBytesWithNoFramingAndExitsZeroOnSIGINT() async throws {
        let server = try await ServerProcess("netstring-echo", ["--raw", "--iface", "localhost"])
        defer { server.stop() }
        #expect(server.printed == "Serving raw echo on 127.0.0.1:\(server.port).\n")
        let client = try BlockingClient(port: server.port)
        let text = "not a netstring: x:oops,\r\n"
        try client.send(text)
        #expect(try client.receive(text.utf8.count) == text)
        #expect(try await server.signal(SIGINT, waitingAtMost: 5) == 0)
        #expect(server.printedErrors.isEmpty)
    }

    @Test func listensOnTCPAndAUNIXSocketAtOnceAndRemovesTheSocketFileOnExit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twist-echo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("echo.sock").path
        let server = try await ServerProcess("netstring-echo", ["--port", "0", "--listen", "unix:\(path)"])
        defer { server.stop() }
        // Both lines come before the reactor runs; the TCP one first.
        try await Task.sleep(for: .milliseconds(50))
        #expect(server.printed == "Serving netstring echo on 127.0.0.1:\(server.port).\nServing netstring echo on unix:\(path).\n")

        let overUNIX = try BlockingClient(unixPath: path)
        try overUNIX.send(framed("over a UNIX socket"))
        #expect(try overUNIX.receive(framed("over a UNIX socket").utf8.count) == framed("over a UNIX socket"))
        let overTCP = try BlockingClient(port: server.port)
        try overTCP.send(framed("over TCP"))
        #expect(try overTCP.receive(framed("over TCP").utf8.count) == framed("over TCP"))

        #expect(try await server.signal(SIGTERM, waitingAtMost: 5) == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aBadListenDescriptionExitsWithStatus2NamingIt() async throws {
        for (description, says) in [("bogus:1", "Unknown endpoint type: 'bogus'"), ("tcp:http", "tcp:http"), ("", "''")] {
            let result = try await runTool("netstring-echo", ["--listen", description])
            #expect(result.status == 2, "\(description)")
            #expect(result.stderr.contains("bad --listen"), "\(description): \(result.stderr)")
            #expect(result.stderr.contains(says), "\(description): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func aPortInUseExitsWithStatus1AndSaysWhy() async throws {
        let first = try await ServerProcess("netstring-echo", [])
        defer { first.stop() }
        let result = try await runTool("netstring-echo", ["--port", "\(first.port)"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("couldn't listen on 127.0.0.1:\(first.port)"), "\(result.stderr)")
    }

    @Test func helpExplainsAndExitsZero() async throws {
        let result = try await runTool("netstring-echo", ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--port") && result.stdout.contains("--listen <description>"))
        #expect(result.stdout.contains("--raw"))
    }
}

/// The echo-server executable: the README's smallest server, over TCP and a UNIX socket.
@Suite(.serialized, .timeLimit(.minutes(1))) struct EchoServerExecutableTests {
    @Test func echoesOverEveryEndpointItAnnouncesAndExitsZeroOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twist-echo-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("echo.sock").path
        // A line ending in the port comes first (ServerProcess waits for it): the shorthand's.
        let server = try await ServerProcess("echo-server", ["--iface", "localhost", "--port", "0", "--listen", "unix:\(path)"])
        defer { server.stop() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(server.printed == "echo-server listening on 127.0.0.1:\(server.port)\necho-server listening on unix:\(path)\n")
        for client in [try BlockingClient(port: server.port), try BlockingClient(unixPath: path)] {
            try client.send("any bytes at all\r\n")
            #expect(try client.receive(18) == "any bytes at all\r\n")
        }
        #expect(try await server.signal(SIGTERM, waitingAtMost: 5) == 0)
    }

    @Test func aBadDescriptionExitsWithStatus2() async throws {
        let result = try await runTool("echo-server", ["--listen", "tcp:port=x"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad --listen 'tcp:port=x'"), "\(result.stderr)")
        #expect(result.stderr.lowercased().contains("usage: echo-server"))
    }
}
