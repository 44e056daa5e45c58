import Testing
import Twist
import TwistTestSupport

/// IPv6 ports: dual-stack "::", and connected UDP over ::1.
@Suite(.timeLimit(.minutes(1))) struct UDPIPv6Tests {
    @Test func aDualStackPortHearsIPv4SendersAsMappedAddressesAndAnswersThem() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, data, sender in
                    log.mutate { $0.append("server heard \(text(data)) from \(sender.ip?.host ?? "-")") }
                    try me.transport!.write(data, to: sender)
                }), interface: "::"
            )
            log.mutate { $0.append("IPv4 target on the IPv6 port: \(thrownName { try server.write([1], to: .ipv4("127.0.0.1", 9)) })") }
            let client = RecordingDatagramProtocol(log: log, onDatagram: { _, data, _ in
                log.mutate { $0.append("client got \(text(data))") }
                try reactor.stop()
            })
            let transport = try reactor.listenUDP(0, client, interface: "127.0.0.1")
            try transport.write(Array("v4".utf8), to: .ipv4("127.0.0.1", server.address.port!))
        }
        #expect(stopped)
        #expect(log.value == [
            "IPv4 target on the IPv6 port: InvalidAddressError", "start", "server heard v4 from ::ffff:127.0.0.1",
            "client got v4", "stop",
        ])
    }

    @Test func aConnectedIPv6PortWritesWithoutAnAddress() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(0, UDPEchoProtocol(), interface: "::1")
            let client = RecordingDatagramProtocol(log: log, onDatagram: { me, data, sender in
                me.note("got \(text(data)) from \(sender)")
                try reactor.stop()
            })
            let transport = try reactor.listenUDP(0, client, interface: "::1")
            client.note("IPv4 peer: \(thrownName { try transport.connect(host: "127.0.0.1", port: 9) })")
            try transport.connect(host: "::1", port: server.address.port!)
            try transport.write(Array("six".utf8))
        }
        #expect(stopped)
        #expect(log.value.count == 4)
        #expect(Array(log.value.prefix(2)) == ["start", "IPv4 peer: InvalidAddressError"])
        #expect(log.value.dropFirst(2).first?.hasPrefix("got six from [::1]:") == true)
    }

    @Test func aHostNameErrorSaysWhatIsWrong() async {
        let message = Shared<String>("")
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let transport = try reactor.listenUDP(0, DatagramProtocol(), interface: "127.0.0.1")
            do {
                try transport.write([1], to: .ipv4("example.com", 53))
            } catch {
                message.value = "\(error)"
            }
        }
        #expect(stopped)
        #expect(message.value == "invalid address: \"example.com\" is not a numeric IP address (resolve host names first)")
    }
}
