import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// What a write refuses, and how: every bad write throws a typed error, loses only that
/// datagram, and the port keeps serving.
@Suite(.timeLimit(.minutes(1))) struct UDPWriteErrorTests {
    @Test func badWritesThrowTypedErrorsAndThePortStillEchoesAfterwards() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(0, UDPEchoProtocol(), interface: "127.0.0.1")
            let target = server.address
            let port = target.port!
            let client = RecordingDatagramProtocol(log: log, onDatagram: { _, data, _ in
                log.mutate { $0.append("echo \(text(data))") }
                try reactor.stop()
            })
            let transport = try reactor.listenUDP(0, client, interface: "127.0.0.1")
            let attempts: [(String, () throws -> Void)] = [
                ("host name", { try transport.write([1], to: .hostname("localhost", port: port)) }),
                ("name in an IP address", { try transport.write([1], to: .ipv4("localhost", port)) }),
                ("IPv6 on IPv4", { try transport.write([1], to: .ipv6("::1", port)) }),
                ("UNIX address", { try transport.write([1], to: .unix("/tmp/x")) }),
                ("too long", { try transport.write([UInt8](repeating: 0, count: 65_508), to: target) }),
                ("no address, not connected", { try transport.write([1]) }),
                ("broadcast not allowed", { try transport.write([1], to: .ipv4("<broadcast>", port)) }),
            ]
            for (what, attempt) in attempts { log.mutate { $0.append("\(what): \(thrownName(attempt))") } }
            try transport.write(Array("still".utf8), to: target)
        }
        #expect(stopped)
        #expect(log.value == [
            "start", "host name: InvalidAddressError", "name in an IP address: InvalidAddressError",
            "IPv6 on IPv4: InvalidAddressError", "UNIX address: InvalidAddressError",
            "too long: MessageLengthError", "no address, not connected: DatagramStateError",
            "broadcast not allowed: DatagramSendError", "echo still", "stop",
        ])
    }

    @Test func anIPv4AddressOnAnIPv6PortIsInvalid() async {
        let outcome = Shared<String>("")
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let transport = try reactor.listenUDP(0, DatagramProtocol(), interface: "::1")
            outcome.value = thrownName { try transport.write([1], to: .ipv4("127.0.0.1", 9)) }
        }
        #expect(stopped)
        #expect(outcome.value == "InvalidAddressError")
    }

    /// The EAGAIN choice: a datagram the kernel cannot take now is dropped and reported with
    /// ``DatagramDroppedError`` (nothing is queued, so nothing arrives later); the next write
    /// goes out. Loopback never fills a UDP send buffer, so the test makes `sendto` answer
    /// EAGAIN (then ENOBUFS) for two writes.
    @Test func aFullSendBufferDropsTheDatagramReportsItAndTheNextOneGoesOut() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: log, onDatagram: { me, data, _ in
                    me.note("server got \(text(data))")
                    reactor.callLater(0.02) { try reactor.stop() }  // time for a late copy to show up
                }), interface: "127.0.0.1"
            )
            let client = try reactor.listenUDP(0, DatagramProtocol(), interface: "127.0.0.1")
            let port = try #require(client as? UDPPort)
            var answers: [Int32] = [EAGAIN, ENOBUFS]
            port.sendCall = { fd, bytes, count, flags, address, length in
                guard !answers.isEmpty else { return Glibc.sendto(fd, bytes, count, flags, address, length) }
                errno = answers.removeFirst()
                return -1
            }
            for message in ["first", "second", "third"] {
                let outcome = thrownName { try client.write(Array(message.utf8), to: server.address) }
                log.mutate { $0.append("\(message): \(outcome)") }
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "start", "first: DatagramDroppedError", "second: DatagramDroppedError", "third: no error",
            "server got third", "stop",
        ])
    }

    @Test(arguments: [
        (EAGAIN, "DatagramDroppedError"), (EWOULDBLOCK, "DatagramDroppedError"), (ENOBUFS, "DatagramDroppedError"),
        (EMSGSIZE, "MessageLengthError"), (EACCES, "DatagramSendError"), (ENETUNREACH, "DatagramSendError"),
    ])
    func sendErrnosMapToTypedErrorsCarryingTheErrno(code: Int32, name: String) {
        let error = UDPPort.sendError(code)
        #expect("\(type(of: error))" == name)
        #expect(error.osError == code)
    }
}
