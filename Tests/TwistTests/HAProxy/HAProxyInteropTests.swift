import Foundation
import Glibc
import Testing
import Twist
import TwistTestSupport

/// The `haproxy:` endpoint behind a real HAProxy on loopback: one frontend relays with
/// `send-proxy` (PROXY v1), another with `send-proxy-v2`, both to a Twist echo server listening on
/// `haproxy:tcp:0:interface=127.0.0.1`. A plain client connects through each; the Twist protocol
/// must see the client's own address and port as its peer, and the frontend's as its host.
///
/// Needs the `haproxy` binary (Debian's `haproxy` package; `.ci/test` tries to install it).
/// Without it the suite is reported as skipped, never as passed. Every wait is bounded.
@Suite(
    .serialized,
    .enabled(if: HAProxyBinary.path != nil, "HAProxy is not installed (apt-get install haproxy); the real-HAProxy tests are skipped")
)
struct HAProxyInteropTests {
    @Test func theProtocolSeesTheClientsAddressThroughSendProxyAndSendProxyV2() async throws {
        let haproxy = try #require(HAProxyBinary.path)
        let reactor = Reactor()
        let twistPort = Shared(0)
        let seen = Shared<[(peer: Address, host: Address)]>([])
        reactor.callWhenRunning {
            let endpoint = try serverFromString(reactor, "haproxy:tcp:0:interface=127.0.0.1")
            let factory = Factory { AddressRecordingEcho(seen) }
            _ = endpoint.listen(factory).addCallback { port in twistPort.value = port.address.port ?? 0 }
        }
        let running = startReactorThread(reactor, timeout: 60)
        var stopped = false
        defer { if !stopped { stopFromOutside(reactor) } }
        try await waitUntil { twistPort.value != 0 }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twist-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let v1Port = try freeLoopbackPort()
        let v2Port = try freeLoopbackPort()
        let config = """
            global
                maxconn 64
            defaults
                mode tcp
                timeout connect 5s
                timeout client 10s
                timeout server 10s
            listen proxy_v1
                bind 127.0.0.1:\(v1Port)
                server twist 127.0.0.1:\(twistPort.value) send-proxy
            listen proxy_v2
                bind 127.0.0.1:\(v2Port)
                server twist 127.0.0.1:\(twistPort.value) send-proxy-v2

            """
        let configPath = directory.appendingPathComponent("haproxy.cfg").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory.appendingPathComponent("haproxy.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: haproxy)
        process.arguments = ["-db", "-f", configPath]
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        defer { stop(process) }
        let haproxyOutput = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        for (port, message) in [(v1Port, "through send-proxy\n"), (v2Port, "through send-proxy-v2\n")] {
            let exchange = await onOwnThread { exchangeThroughProxy(port: port, message: message, timeout: 10) }
            let (clientPort, echoed) = try #require(exchange.value, "port \(port): \(exchange.error ?? ""); haproxy says: \(haproxyOutput())")
            #expect(echoed == message, "the Twist protocol echoed what the client sent")
            try await waitUntil { seen.value.contains { $0.peer == .ipv4("127.0.0.1", clientPort) } }
            let record = try #require(seen.value.first { $0.peer == .ipv4("127.0.0.1", clientPort) })
            #expect(record.host == .ipv4("127.0.0.1", port), "the host is the frontend the client connected to")
        }
        #expect(seen.value.count == 2, "one connection per client, no other: \(seen.value)")
        stopFromOutside(reactor)
        stopped = true
        let outcome = await running.value
        #expect(!outcome.timedOut)
    }
}

/// Where the `haproxy` binary is, if installed: `/usr/sbin/haproxy` or the first on `PATH`.
enum HAProxyBinary {
    static let path: String? = {
        let searched = ["/usr/sbin", "/usr/local/sbin"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return searched.map { $0 + "/haproxy" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// Records the peer and host it sees in `connectionMade`, then echoes.
final class AddressRecordingEcho: Protocol {
    let seen: Shared<[(peer: Address, host: Address)]>
    init(_ seen: Shared<[(peer: Address, host: Address)]>) { self.seen = seen }

    override func connectionMade() {
        guard let transport else { return }
        let record = (peer: transport.peer, host: transport.host)
        seen.mutate { $0.append(record) }
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws { transport?.write(data) }
}

/// Terminates `process` (SIGTERM, then SIGKILL after 5 s) and waits for it, bounded.
private func stop(_ process: Process) {
    guard process.isRunning else { return }
    process.terminate()
    let deadline = Date().addingTimeInterval(5)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
}

/// A port of 127.0.0.1 that was free a moment ago.
private func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return address
}

/// What a blocking client exchange gave: the client's own port and the reply, or why not.
struct ProxyExchange: Sendable {
    var value: (clientPort: Int, echoed: String)?
    var error: String?
}

/// A plain blocking client: connects to 127.0.0.1:`port` (retrying while refused, until HAProxy
/// listens, for at most `timeout` seconds), sends `message`, reads as many bytes back, closes.
/// Runs on a thread of its own.
private func exchangeThroughProxy(port: Int, message: String, timeout: Double) -> ProxyExchange {
    let deadline = Date().addingTimeInterval(timeout)
    var fd: Int32 = -1
    while true {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if connected { break }
        close(fd)
        if Date() > deadline { return ProxyExchange(error: "could not connect to HAProxy within \(timeout)s") }
        usleep(20_000)
    }
    defer { close(fd) }
    var receiveTimeout = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receiveTimeout, socklen_t(MemoryLayout<timeval>.size))
    var local = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &local) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    let clientPort = Int(UInt16(bigEndian: local.sin_port))
    let bytes = Array(message.utf8)
    guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return ProxyExchange(error: "send failed: errno \(errno)") }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    while reply.count < bytes.count {
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return ProxyExchange(error: "read \(reply.count) bytes, then \(count) (errno \(errno))") }
        reply += buffer[..<count]
    }
    return ProxyExchange(value: (clientPort, String(decoding: reply, as: UTF8.self)))
}
