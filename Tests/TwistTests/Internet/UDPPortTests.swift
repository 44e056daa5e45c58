import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// Listening on UDP: echo over IPv4 and IPv6, the real port for port 0, the protocol's life
/// cycle in Twisted's order, and interfaces the port refuses.
@Suite(.timeLimit(.minutes(1))) struct UDPPortTests {
    @Test(arguments: ["127.0.0.1", "::1"])
    func datagramsIncludingAnEmptyOneEchoInOrderFromTheRealPort(interface: String) async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(0, UDPEchoProtocol(), interface: interface)
            let serverAddress = server.address
            log.mutate { $0.append("server \(serverAddress.ip?.host ?? "-") port set \(serverAddress.port != 0)") }
            let client = RecordingDatagramProtocol(
                log: log,
                onStart: { me in
                    for message in ["one", "", "three"] { try me.transport!.write(Array(message.utf8), to: serverAddress) }
                },
                onDatagram: { me, data, sender in
                    me.note("'\(text(data))' from server \(sender == serverAddress)")
                    if me.received == 3 { try reactor.stop() }
                }
            )
            _ = try reactor.listenUDP(0, client, interface: interface)
        }
        #expect(stopped)
        #expect(log.value == [
            "server \(interface) port set true", "start", "'one' from server true", "'' from server true",
            "'three' from server true", "stop",  // the reactor's shutdown closes the port
        ])
    }

    @Test func theLifeCycleFollowsTwistedAndTheProtocolCanListenAgainAfterAStop() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let proto = RecordingDatagramProtocol(log: log)
            let port = try reactor.listenUDP(0, proto, interface: "127.0.0.1")
            proto.note("listenUDP returned, transport set \(proto.transport != nil)")
            proto.note("second port: \(thrownName { _ = try reactor.listenUDP(0, proto) })")
            let first = port.stopListening()
            let second = port.stopListening()
            proto.note("stopListening returned, fired \(first.hasFired)")
            second.addCallback { proto.note("second stop fired") }
            first.addCallback {
                proto.note("stopped, transport nil \(proto.transport == nil)")
                proto.note("write after stop: \(thrownName { try port.write([1], to: .ipv4("127.0.0.1", 9)) })")
                proto.note("stop again fired at once \(port.stopListening().hasFired)")
                let again = try reactor.listenUDP(0, proto, interface: "127.0.0.1")
                again.stopListening().addCallback { try reactor.stop() }
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "start", "listenUDP returned, transport set true", "second port: DatagramStateError",
            "stopListening returned, fired false", "stop", "stopped, transport nil true",
            "write after stop: DatagramStateError", "stop again fired at once true", "start",
            "second stop fired", "stop",
        ])
    }

    @Test func stoppingFromStartProtocolStillStopsOnALaterPass() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let proto = RecordingDatagramProtocol(log: log, onStart: { me in
                me.transport!.stopListening().addCallback { try reactor.stop() }
                me.note("stop asked")
            })
            _ = try reactor.listenUDP(0, proto, interface: "127.0.0.1")
            proto.note("listenUDP returned")
        }
        #expect(stopped)
        #expect(log.value == ["start", "stop asked", "listenUDP returned", "stop"])
    }

    @Test func namesBadSizesAndPortsInUseAreRefusedSynchronously() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let taken = try reactor.listenUDP(0, DatagramProtocol(), interface: "127.0.0.1")
            let busy = taken.address.port!
            for (what, attempt) in [
                ("localhost", { _ = try reactor.listenUDP(0, DatagramProtocol(), interface: "localhost") }),
                ("size 0", { _ = try reactor.listenUDP(0, DatagramProtocol(), maxPacketSize: 0) }),
                ("port in use", { _ = try reactor.listenUDP(busy, DatagramProtocol(), interface: "127.0.0.1") }),
            ] as [(String, () throws -> Void)] {
                log.mutate { $0.append("\(what): \(thrownName(attempt))") }
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "localhost: InvalidAddressError", "size 0: InvalidAddressError", "port in use: CannotListenError",
        ])
    }

    @Test func aDatagramLongerThanMaxPacketSizeArrivesCut() async {
        let sizes = Shared<[Int]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { _, data, _ in
                    sizes.mutate { $0.append(data.count) }
                    if sizes.value.count == 2 { try reactor.stop() }
                }), interface: "127.0.0.1", maxPacketSize: 100
            )
            let client = try reactor.listenUDP(0, DatagramProtocol(), interface: "127.0.0.1")
            try client.write([UInt8](repeating: 7, count: 300), to: server.address)
            try client.write([UInt8](repeating: 7, count: 100), to: server.address)
        }
        #expect(stopped)
        #expect(sizes.value == [100, 100])
    }

    @Test func anErrorFromDatagramReceivedIsLoggedAndThePortKeepsServing() async {
        struct Boom: Error {}
        let capture = LogCapture()
        let log = Shared<[String]>([])
        let stopped = await runReactor(logger: capture.logger()) { reactor in
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: log, onDatagram: { me, data, _ in
                    me.note(text(data))
                    if text(data) == "bad" { throw Boom() }
                    try reactor.stop()
                }), interface: "127.0.0.1"
            )
            let client = try reactor.listenUDP(0, DatagramProtocol(), interface: "127.0.0.1")
            try client.write(Array("bad".utf8), to: server.address)
            reactor.callLater(0.01) { try client.write(Array("good".utf8), to: server.address) }
        }
        #expect(stopped)
        #expect(log.value == ["start", "bad", "good", "stop"])
        let errors = capture.records.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("datagramReceived") == true)
        #expect(errors.first?.metadata["error"].map { "\($0)" }?.contains("Boom") == true)
    }
}
