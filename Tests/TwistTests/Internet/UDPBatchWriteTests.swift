import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// Batched writes: what a protocol writes while the port delivers one `recvmmsg` batch goes out
/// with `sendmmsg` once the batch is delivered. A datagram the kernel refuses there is counted and
/// logged (it cannot be thrown from a write that has returned), and the port keeps serving; a
/// write outside a batch stays one `sendto`, refused synchronously.
@Suite(.timeLimit(.minutes(1))) struct UDPBatchWriteTests {
    /// Answers each datagram with `copies` datagrams, "<data>-1", "<data>-2", …, to its sender.
    final class Fanout: DatagramProtocol {
        let copies: Int

        init(copies: Int) { self.copies = copies }

        override func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {
            for index in 1...copies { try transport?.write(Array("\(text(data))-\(index)".utf8), to: sender) }
        }
    }

    /// The limits the server's `sendmmsg` calls were given, what the client received, how many
    /// datagrams the server counted as dropped and what it logged as errors, when the client sends
    /// "a" to a `Fanout(copies: 3)` and "b" once its first answer arrives. Each batched send of the
    /// server goes through `answer(call number, limit, send)`, where `send(n)` really sends up to
    /// `n` datagrams. The run stops when the client has `expected` datagrams.
    private func fanOut(
        expected: Int,
        answer: @escaping @Sendable (_ call: Int, _ limit: Int32, _ send: (Int32) -> Int32) -> Int32 = { _, limit, send in
            send(limit)
        }
    ) async -> (stopped: Bool, limits: [Int32], got: [String], dropped: Int, errors: [LogCapture.Record]) {
        let capture = LogCapture()
        let limits = Shared<[Int32]>([])
        let got = Shared<[String]>([])
        let dropped = Shared(0)
        let stopped = await runReactor(logger: capture.logger()) { reactor in
            let server = try reactor.listenUDP(0, Fanout(copies: 3), interface: "127.0.0.1")
            let port = try #require(server as? UDPPort)
            port.sendCall = { _, _, _, _, _, _ in
                Issue.record("a write during a batch went out with sendto")
                errno = EIO
                return -1
            }
            let real = port.sendBatchCall
            port.sendBatchCall = { batch, fd, first, limit in
                limits.mutate { $0.append(limit) }
                return answer(limits.value.count, limit) { real(batch, fd, first, $0) }
            }
            let client = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, data, _ in
                    got.mutate { $0.append(text(data)) }
                    if me.received == 1 { try me.transport?.write(Array("b".utf8), to: server.address) }
                    if me.received == expected {
                        dropped.value = port.droppedDatagrams
                        try reactor.stop()
                    }
                }), interface: "127.0.0.1")
            try client.write(Array("a".utf8), to: server.address)
        }
        return (stopped, limits.value, got.value, dropped.value, capture.records.filter { $0.level == .error })
    }

    @Test func writesDuringOneBatchGoOutTogetherInOrderWithOneSendmmsg() async {
        let run = await fanOut(expected: 6)
        #expect(run.stopped)
        #expect(run.limits == [3, 3])
        #expect(run.got == ["a-1", "a-2", "a-3", "b-1", "b-2", "b-3"])
        #expect(run.dropped == 0)
        #expect(run.errors.isEmpty)
    }

    /// The kernel may take fewer than it was offered: the rest go in further calls, nothing is lost.
    @Test func aPartialSendmmsgSendsTheRestInFurtherCalls() async {
        let run = await fanOut(expected: 6) { call, limit, send in send(call <= 3 ? 1 : limit) }
        #expect(run.stopped)
        #expect(run.limits == [3, 2, 1, 3])
        #expect(run.got == ["a-1", "a-2", "a-3", "b-1", "b-2", "b-3"])
        #expect(run.dropped == 0)
        #expect(run.errors.isEmpty)
    }

    /// A full send buffer after the first datagram: the rest of that batch is dropped, counted and
    /// logged; the port keeps serving and the next batch goes out whole.
    @Test func eagainMidBatchDropsTheRestCountsAndLogsThemAndThePortKeepsServing() async {
        let run = await fanOut(expected: 4) { call, limit, send in
            switch call {
            case 1: return send(1)
            case 2:
                errno = EAGAIN
                return -1
            default: return send(limit)
            }
        }
        #expect(run.stopped)
        #expect(run.limits == [3, 2, 3])
        #expect(run.got == ["a-1", "b-1", "b-2", "b-3"])
        #expect(run.dropped == 2)
        #expect(run.errors.count == 1)
        #expect(run.errors.first?.message.contains("dropped") == true)
        #expect(run.errors.first?.metadata["dropped"].map { "\($0)" } == "2")
    }

    /// Another error loses only the datagram it is about; the rest of the batch is sent.
    @Test func anotherErrorDropsOnlyItsDatagram() async {
        let run = await fanOut(expected: 5) { call, limit, send in
            guard call == 1 else { return send(limit) }
            errno = EACCES
            return -1
        }
        #expect(run.stopped)
        #expect(run.limits == [3, 2, 3])
        #expect(run.got == ["a-2", "a-3", "b-1", "b-2", "b-3"])
        #expect(run.dropped == 1)
        #expect(run.errors.count == 1)
    }

    /// Outside a read batch (here: a delayed call scheduled from `datagramReceived`) a write is
    /// one `sendto`, and a full buffer throws from it at once, as before.
    @Test func aWriteOutsideABatchIsSentAtOnceAndRefusedSynchronously() async {
        let outcomes = Shared<[String]>([])
        let batchedSends = Shared(0)
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, _, sender in
                    reactor.callLater(0) {
                        for _ in 1...2 {
                            let outcome = thrownName { try me.transport?.write(Array("late".utf8), to: sender) }
                            outcomes.mutate { $0.append(outcome) }
                        }
                    }
                }), interface: "127.0.0.1")
            let port = try #require(server as? UDPPort)
            var answers: [Int32] = [EAGAIN]
            port.sendCall = { fd, bytes, count, flags, address, length in
                guard answers.isEmpty else {
                    errno = answers.removeFirst()
                    return -1
                }
                return Glibc.sendto(fd, bytes, count, flags, address, length)
            }
            let real = port.sendBatchCall
            port.sendBatchCall = { batch, fd, first, limit in
                batchedSends.mutate { $0 += 1 }
                return real(batch, fd, first, limit)
            }
            let client = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { _, data, _ in
                    outcomes.mutate { $0.append("client got \(text(data))") }
                    try reactor.stop()
                }), interface: "127.0.0.1")
            try client.write(Array("go".utf8), to: server.address)
        }
        #expect(stopped)
        #expect(outcomes.value == ["DatagramDroppedError", "no error", "client got late"])
        #expect(batchedSends.value == 0)
    }

    /// A datagram UDP cannot carry is refused by the write itself even during a batch.
    @Test func aTooLongDatagramThrowsFromTheWriteDuringABatch() async {
        let outcome = Shared("")
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, _, sender in
                    outcome.value = thrownName {
                        try me.transport?.write([UInt8](repeating: 0, count: 65_508), to: sender)
                    }
                    try me.transport?.write(Array("ok".utf8), to: sender)
                }), interface: "127.0.0.1")
            let client = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { _, data, _ in
                    if text(data) == "ok" { try reactor.stop() }
                }), interface: "127.0.0.1")
            try client.write(Array("go".utf8), to: server.address)
        }
        #expect(stopped)
        #expect(outcome.value == "MessageLengthError")
    }

    /// A refusal at the flush of a connected port calls `connectionRefused()`; what that writes
    /// goes out at once (not into the batch being sent, which would lose it), and the rest of the
    /// batch follows. 65 writes in one `datagramReceived` fill the 64-datagram batch, so the flush
    /// runs inside the 65th write, while the port is still gathering.
    @Test func aRefusalAtTheFlushCallsConnectionRefusedWhoseWriteGoesOutAtOnce() async {
        let got = Shared<[String]>([])
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let client = try reactor.listenUDP(
                0, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, data, _ in
                    got.mutate { $0.append(text(data)) }
                    if me.received == 65 { try reactor.stop() }
                }), interface: "127.0.0.1")
            let server = try reactor.listenUDP(
                0, RecordingDatagramProtocol(
                    log: log, onRefused: { me in try me.transport?.write(Array("refused".utf8)) },
                    onDatagram: { me, _, _ in
                        for index in 1...65 { try me.transport?.write(Array("a-\(index)".utf8)) }
                    }), interface: "127.0.0.1")
            try server.connect(host: "127.0.0.1", port: client.address.port!)
            let port = try #require(server as? UDPPort)
            let real = port.sendBatchCall
            var calls = 0
            port.sendBatchCall = { batch, fd, first, limit in
                calls += 1
                guard calls > 1 else {
                    errno = ECONNREFUSED
                    return -1
                }
                return real(batch, fd, first, limit)
            }
            try client.write(Array("go".utf8), to: server.address)
        }
        #expect(stopped)
        #expect(log.value == ["start", "refused", "stop"])
        #expect(got.value == ["refused"] + (2...65).map { "a-\($0)" })
    }
}
