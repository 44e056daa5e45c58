import Twist
import TwistTesting

import Testing
import TwistTestSupport

/// Writes made inside `dataReceived` are gathered and flushed once it returns; small ones are
/// copied into the connection's own buffer, large ones queued by reference. Whatever the mix,
/// the peer gets every byte in the order written — even when the writer reuses (mutates) its
/// buffer right after each write — and `loseConnection()` after them sends them all first.
@Suite struct TCPWriteCoalescingTests {
    /// On "go": 300 small writes from one scratch buffer rewritten after each write, a 200 KiB
    /// write, 300 more small ones, then `loseConnection()`.
    final class Burst: Protocol {
        static func expected() -> [UInt8] {
            var bytes: [UInt8] = []
            for index in 0..<300 { bytes += Burst.small(index) }
            bytes += pattern(200 << 10, seed: 9)
            for index in 300..<600 { bytes += Burst.small(index) }
            return bytes
        }

        static func small(_ index: Int) -> [UInt8] {
            Array("message \(index);".utf8) + pattern(index % 50, seed: UInt8(index % 256))
        }

        var scratch: [UInt8] = []

        override func dataReceived(_ data: ArraySlice<UInt8>) throws {
            for index in 0..<300 { writeReusing(Burst.small(index)) }
            transport?.write(pattern(200 << 10, seed: 9))
            for index in 300..<600 { writeReusing(Burst.small(index)) }
            transport?.loseConnection()
        }

        /// Writes `bytes` through the one scratch buffer, then scribbles over it.
        private func writeReusing(_ bytes: [UInt8]) {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: bytes)
            transport?.write(scratch[...])
            for position in scratch.indices { scratch[position] = 0xEE }
        }
    }

    @Test func everyByteArrivesInOrderAndTheCloseComesAfterThem() async {
        let log = Shared(ConnectionLog())
        let notes = Shared<[String]>([])
        let stopped = await runReactor(timeout: 20) { reactor in
            let port = try reactor.listenTCP(0, Factory { Burst() }, interface: "127.0.0.1")
            let client = StopOnLostClientFactory(reactor, notes: notes) {
                RecordingClient(log: log, onConnected: { $0.transport?.write(Array("go".utf8)) })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, client)
        }
        #expect(stopped)
        #expect(sameBytes(log.value.received, Burst.expected()), "received \(log.value.received.count) bytes")
        #expect(log.value.lostReason == "ConnectionDone")
    }

    /// As in Twisted, `write` never sends from inside the protocol's call, so a write followed by
    /// `abortConnection()` in the same `dataReceived` is discarded: the peer gets nothing.
    @Test func aWriteThenAnAbortInsideDataReceivedSendsNothing() async {
        final class WriteThenAbort: Protocol {
            override func dataReceived(_ data: ArraySlice<UInt8>) throws {
                transport?.write(Array("never sent".utf8))
                transport?.abortConnection()
            }
        }
        let log = Shared(ConnectionLog())
        let stopped = await runReactor(timeout: 20) { reactor in
            let port = try reactor.listenTCP(0, Factory { WriteThenAbort() }, interface: "127.0.0.1")
            let client = StopOnLostClientFactory(reactor) {
                RecordingClient(log: log, onConnected: { $0.transport?.write(Array("go".utf8)) })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, client)
        }
        #expect(stopped)
        #expect(log.value.received.isEmpty)
        #expect(log.value.events.contains("lost"))
    }

    /// Small writes that overfill the socket in one `dataReceived`: they are gathered in the loop's
    /// shared scratch buffer, sent as far as the socket takes them, and the rest kept by the
    /// connection; the small writes of a later delivery, made while those still wait, go after
    /// them. The peer gets every byte in order, then the close.
    final class Flood: Protocol {
        /// 16 MiB of 1,000-byte writes, far more than a loopback socket buffers.
        static let firstCount = 16_384
        static let secondCount = 100

        static func message(_ delivery: Int, _ index: Int) -> [UInt8] {
            pattern(1_000, seed: UInt8(truncatingIfNeeded: index &* 31 &+ delivery))
        }

        static func expected() -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity((firstCount + secondCount) * 1_000)
            for index in 0..<firstCount { bytes += message(1, index) }
            for index in 0..<secondCount { bytes += message(2, index) }
            return bytes
        }

        var deliveries = 0

        override func dataReceived(_ data: ArraySlice<UInt8>) throws {
            deliveries += 1
            switch deliveries {
            case 1:
                for index in 0..<Flood.firstCount { transport?.write(Flood.message(1, index)) }
            case 2:
                for index in 0..<Flood.secondCount { transport?.write(Flood.message(2, index)) }
                transport?.loseConnection()
            default:
                break
            }
        }
    }

    @Test func smallWritesThatOverfillTheSocketArriveWholeAndInOrder() async {
        let log = Shared(ConnectionLog())
        let stopped = await runReactor(timeout: 30) { reactor in
            let port = try reactor.listenTCP(0, Factory { Flood() }, interface: "127.0.0.1")
            var askedForMore = false
            let client = StopOnLostClientFactory(reactor) {
                RecordingClient(
                    log: log,
                    onConnected: { $0.transport?.write(Array("go".utf8)) },
                    onData: { client, _ in
                        // Ask again as soon as the first bytes arrive, while most of the first
                        // answer is still waiting on the server.
                        guard !askedForMore else { return }
                        askedForMore = true
                        client.transport?.write(Array("more".utf8))
                    }
                )
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, client)
        }
        #expect(stopped)
        #expect(sameBytes(log.value.received, Flood.expected()), "received \(log.value.received.count) bytes")
        #expect(log.value.lostReason == "ConnectionDone")
    }

    /// A protocol that writes and then throws from `dataReceived`: its connection is closed and the
    /// bytes it wrote go nowhere — not to its peer, and not to the next connection that writes
    /// during its own delivery (small writes of a delivery share one buffer per loop).
    @Test func aWriteThenAThrowInsideDataReceivedSendsNothingAndLeavesNothingForOthers() async {
        struct Malformed: Error {}
        final class WriteThenThrow: Protocol {
            override func dataReceived(_ data: ArraySlice<UInt8>) throws {
                transport?.write(Array("leaked".utf8))
                if data.first == UInt8(ascii: "!") { throw Malformed() }
            }
        }
        let bad = Shared(ConnectionLog())
        let good = Shared(ConnectionLog())
        let capture = LogCapture()
        let stopped = await runReactor(timeout: 20, logger: capture.logger()) { reactor in
            let port = try reactor.listenTCP(0, Factory { WriteThenThrow() }, interface: "127.0.0.1")
            let badClient = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: bad, onConnected: { $0.transport?.write(Array("!boom".utf8)) })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, badClient)
            // Only once the first connection has gone does the second one connect and deliver;
            // it then waits a little for any bytes beyond its own answer before stopping.
            var goodConnected = false
            LoopingCall(clock: reactor) {
                guard !goodConnected, bad.value.events.contains("lost") else { return }
                goodConnected = true
                var stopping = false
                let goodClient = RecordingClientFactory(notes: Shared([])) {
                    RecordingClient(log: good, onConnected: { $0.transport?.write(Array("fine".utf8)) }, onData: { _, _ in
                        guard !stopping else { return }
                        stopping = true
                        reactor.callLater(0.1) { try reactor.stop() }
                    })
                }
                reactor.connectTCP("127.0.0.1", port.address.port!, goodClient)
            }.start(interval: 0.01)
        }
        #expect(stopped)
        #expect(bad.value.received.isEmpty)
        #expect(bad.value.events.contains("lost"))
        #expect(good.value.received == Array("leaked".utf8))
    }
}
