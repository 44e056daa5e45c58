import Foundation
import Glibc
import Testing

/// A blocking UDP socket on loopback whose every receive gives up after a few seconds, so a
/// broken server fails the test instead of hanging it.
private final class BlockingUDPClient {
    private let fd: Int32
    private let family: Int32

    init(ipv6: Bool = false, timeout: Int = 5) {
        family = ipv6 ? AF_INET6 : AF_INET
        fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends `text` as one datagram to loopback's `port`.
    func send(_ text: String, toPort port: Int) {
        let bytes = Array(text.utf8)
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port)).bigEndian
            address.sin6_addr = in6addr_loopback
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// One datagram as text; nil when none came within the timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count >= 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}

/// The echo-udp executable, end to end over loopback.
@Suite(.serialized, .timeLimit(.minutes(1))) struct EchoUDPExecutableTests {
    @Test func echoesDatagramsOverIPv4AndIPv6AndExitsZeroOnSIGTERM() async throws {
        let server = try await ServerProcess("echo-udp", ["--port", "0", "--listen", "udp:0:interface=\\:\\:1"])
        defer { server.stop() }
        try await Task.sleep(for: .milliseconds(50))  // both lines are printed before the reactor runs
        let lines = server.printed.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "echo-udp listening on 127.0.0.1:\(server.port)")
        let v6Port = try #require(lines.last.flatMap { Int($0.split(separator: ":").last ?? "") })
        #expect(lines.last == "echo-udp listening on [::1]:\(v6Port)")

        let client = BlockingUDPClient()
        for text in ["hello", "", "wörld"] {
            client.send(text, toPort: server.port)
            #expect(client.receive() == text)
        }
        let client6 = BlockingUDPClient(ipv6: true)
        client6.send("over IPv6", toPort: v6Port)
        #expect(client6.receive() == "over IPv6")

        #expect(try await server.signal(SIGTERM, waitingAtMost: 5) == 0)
        #expect(server.printedErrors.isEmpty)
    }

    @Test func aBadListenDescriptionExitsWithStatus2NamingIt() async throws {
        for (description, says) in [
            ("tcp:80", "udp:PORT"), ("udp:http", "'http'"), ("udp:1:bogus=2", "bogus"), ("udp:70000", "out of range"),
        ] {
            let result = try await runTool("echo-udp", ["--listen", description])
            #expect(result.status == 2, "\(description)")
            #expect(result.stderr.contains("bad --listen '\(description)'"), "\(description): \(result.stderr)")
            #expect(result.stderr.contains(says), "\(description): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func aPortInUseExitsWithStatus1AndSaysWhy() async throws {
        let first = try await ServerProcess("echo-udp", [])
        defer { first.stop() }
        let result = try await runTool("echo-udp", ["--port", "\(first.port)"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("couldn't listen on 127.0.0.1:\(first.port)"), "\(result.stderr)")
    }
}
