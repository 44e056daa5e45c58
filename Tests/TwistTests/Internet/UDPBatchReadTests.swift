import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// Batched reads: several datagrams per `recvmmsg`, each handed over as a view of its slot in the
/// reactor's receive buffer, and a per-wake-up budget so one busy port cannot starve the loop.
@Suite(.timeLimit(.minutes(1))) struct UDPBatchReadTests {
    @Test func datagramsOfOneBatchAreViewsOfTheirSlotsInOneBuffer() async {
        let slots = Shared<[Int]>([])
        let sizes = Shared<[Int]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, data, _ in
                    slots.mutate { $0.append(data.startIndex) }
                    sizes.mutate { $0.append(data.count) }
                    if me.received == 3 { try reactor.stop() }
                }), interface: "127.0.0.1", maxPacketSize: 1000
            )
            let client = try reactor.listenUDP(0, DatagramProtocol(), interface: "127.0.0.1")
            // All three are queued before the server's socket is read: one recvmmsg takes them.
            for size in [10, 1000, 0] { try client.write([UInt8](repeating: 1, count: size), to: server.address) }
        }
        #expect(stopped)
        #expect(slots.value == [0, 1000, 2000])
        #expect(sizes.value == [10, 1000, 0])
    }

    @Test func aWakeUpDeliversAtMostItsBudgetThenYieldsToTheLoop() async {
        let passes = Shared<[UInt32]>([])
        let total = 50
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, _, _ in
                    passes.mutate { $0.append(reactor.core.passCount) }
                    if me.received == total { try reactor.stop() }
                }), interface: "127.0.0.1"
            )
            try #require(server as? UDPPort).datagramsPerWakeUp = 8
            let client = try reactor.listenUDP(0, DatagramProtocol(), interface: "127.0.0.1")
            for index in 0..<total { try client.write([UInt8(index)], to: server.address) }
        }
        #expect(stopped)
        let perPass = Dictionary(grouping: passes.value, by: { $0 }).values.map(\.count)
        #expect(passes.value.count == total)
        #expect(perPass.max() == 8, "\(perPass)")
        #expect(perPass.count >= (total + 7) / 8)
    }

    @Test func aKeptViewKeepsItsBytesWhenTheNextBatchArrives() async {
        let kept = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            var views: [ArraySlice<UInt8>] = []
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, data, _ in
                    views.append(data)
                    if me.received == 2 {
                        kept.value = views.map(text)
                        try reactor.stop()
                    }
                }), interface: "127.0.0.1"
            )
            let client = try reactor.listenUDP(0, DatagramProtocol(), interface: "127.0.0.1")
            try client.write(Array("first".utf8), to: server.address)
            reactor.callLater(0.01) { try client.write(Array("other".utf8), to: server.address) }
        }
        #expect(stopped)
        #expect(kept.value == ["first", "other"])
    }
}
