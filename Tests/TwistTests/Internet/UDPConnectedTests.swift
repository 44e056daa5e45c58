import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// Connected UDP: writes without an address, the kernel's filter on senders, one connect only,
/// and ICMP refusals that reach `connectionRefused` and leave the port open.
@Suite(.timeLimit(.minutes(1))) struct UDPConnectedTests {
    @Test func aConnectedPortWritesWithoutAnAddressAndHearsOnlyItsPeer() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(0, UDPEchoProtocol(), interface: "127.0.0.1")
            let client = RecordingDatagramProtocol(log: log, onDatagram: { me, data, sender in
                me.note("got \(text(data)) from peer \(sender == server.address)")
                if text(data) == "last" { try reactor.stop() }
            })
            let transport = try reactor.listenUDP(0, client, interface: "127.0.0.1")
            let port = server.address.port!
            client.note("connect to a name: \(thrownName { try transport.connect(host: "localhost", port: port) })")
            try transport.connect(host: "127.0.0.1", port: port)
            client.note("connected to the server \(transport.connectedAddress == server.address)")
            client.note("connect again: \(thrownName { try transport.connect(host: "127.0.0.1", port: port) })")
            client.note("write elsewhere: \(thrownName { try transport.write([1], to: .ipv4("127.0.0.1", 9)) })")
            client.note("host unchanged \(transport.host.port != 0)")
            try transport.write(Array("plain".utf8))
            try transport.write(Array("addressed".utf8), to: server.address)
            // A stranger's datagram is dropped by the kernel; the peer's next one still arrives.
            sendFromStranger(Array("stranger".utf8), toPort: transport.address.port!)
            reactor.callLater(0.01) { try transport.write(Array("last".utf8)) }
        }
        #expect(stopped)
        #expect(log.value == [
            "start", "connect to a name: InvalidAddressError", "connected to the server true", "connect again: DatagramStateError", "write elsewhere: DatagramStateError", "host unchanged true",
            "got plain from peer true", "got addressed from peer true", "got last from peer true", "stop",
        ])
    }

    @Test func anICMPRefusalCallsConnectionRefusedAndThePortStaysOpen() async {
        let refuser = RefusingUDPPeer()
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            var refusals = 0
            let client = RecordingDatagramProtocol(
                log: log,
                onRefused: { me in
                    refusals += 1
                    guard refusals == 1 else { return }
                    // Still open: still connected, a write goes through, and (below) the port
                    // is still attached a loop pass later and closes only with the reactor.
                    me.note("after refusal: write \(thrownName { try me.transport!.write(Array("again".utf8)) })")
                    me.note("still connected \(me.transport?.connectedAddress != nil)")
                    reactor.callLater(0.02) {
                        me.note("serving \(me.transport != nil)")
                        try reactor.stop()
                    }
                }
            )
            let transport = try reactor.listenUDP(0, client, interface: "127.0.0.1")
            try transport.connect(host: "127.0.0.1", port: refuser.port)
            try transport.write(Array("hello?".utf8))
        }
        withExtendedLifetime(refuser) {}
        #expect(stopped)
        // The write after the refusal is refused in turn (a second "refused", on a later pass).
        #expect(Array(log.value.prefix(4)) == ["start", "refused", "after refusal: write no error", "still connected true"])
        #expect(log.value.contains("serving true"))
        #expect(log.value.last == "stop")
        #expect(log.value.filter { $0 == "stop" }.count == 1, "the refusal must not close the port: \(log.value)")
    }

    @Test func anUnconnectedPortNeverHearsOfRefusals() async {
        let refuser = RefusingUDPPeer()
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let client = RecordingDatagramProtocol(log: log)
            let transport = try reactor.listenUDP(0, client, interface: "127.0.0.1")
            for _ in 0..<3 {
                client.note(thrownName { try transport.write(Array("x".utf8), to: .ipv4("127.0.0.1", refuser.port)) })
            }
            reactor.callLater(0.02) { try reactor.stop() }
        }
        withExtendedLifetime(refuser) {}
        #expect(stopped)
        #expect(log.value == ["start", "no error", "no error", "no error", "stop"])
    }
}
