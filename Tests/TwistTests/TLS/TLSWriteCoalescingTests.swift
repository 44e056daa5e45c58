import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// Small writes made inside `dataReceived` (and the parts of one `writeSequence`) leave in as few
/// TLS records as they fit, in order, with `loseConnection` and producers keeping their place;
/// counted on the ciphertext between two engines in memory.
@Suite struct TLSWriteCoalescingTests {
    /// The TLS records in `ciphertext`: their content types and lengths (the record layer's 5-byte
    /// headers; in TLS 1.3 every record after the handshake says 23, application data).
    static func records(_ ciphertext: [UInt8]) -> [(type: UInt8, length: Int)] {
        var found: [(type: UInt8, length: Int)] = []
        var offset = 0
        while offset + 5 <= ciphertext.count {
            let length = Int(ciphertext[offset + 3]) << 8 | Int(ciphertext[offset + 4])
            found.append((ciphertext[offset], length))
            offset += 5 + length
        }
        #expect(offset == ciphertext.count, "whole records")
        return found
    }

    /// A handshaken pair whose client runs `onData` on the first bytes it receives.
    private func pair(onData: @escaping (TLSRecorder) -> Void) throws -> TLSMemoryPair {
        let tls = try TLSMemoryPair(client: CallbackRecorder(onData))
        tls.flush()
        #expect(tls.client.events.contains("handshakeCompleted"))
        return tls
    }

    /// The server writes "go"; the client's callback runs; returns what the client sent then.
    private func trigger(_ tls: TLSMemoryPair) throws -> [UInt8] {
        tls.server.transport?.write(Array("go".utf8))
        try tls.clientWrapper.dataReceived(tls.pair.serverTransport.takeUnsent()[...])
        return tls.pair.clientTransport.takeUnsent()
    }

    private static func piece(_ index: Int) -> [UInt8] { Array("piece \(index);".utf8) }

    @Test func manySmallWritesInDataReceivedLeaveAsOneRecord() throws {
        let tls = try pair { client in
            for index in 0..<100 { client.transport?.write(Self.piece(index)) }
        }
        let ciphertext = try trigger(tls)
        #expect(Self.records(ciphertext).count == 1)
        try tls.serverWrapper.dataReceived(ciphertext[...])
        #expect(tls.server.received == (0..<100).flatMap(Self.piece))
    }

    @Test func writesOutsideACallbackLeaveAtOnceOneRecordEach() throws {
        let tls = try pair { _ in }
        _ = tls.pair.clientTransport.takeUnsent()
        for index in 0..<10 { tls.client.transport?.write(Self.piece(index)) }
        #expect(Self.records(tls.pair.clientTransport.takeUnsent()).count == 10)
    }

    @Test func aWriteSequenceLeavesAsOneRecordAnywhere() throws {
        let tls = try pair { _ in }
        _ = tls.pair.clientTransport.takeUnsent()
        tls.client.transport?.writeSequence((0..<50).map { Self.piece($0)[...] })
        let ciphertext = tls.pair.clientTransport.takeUnsent()
        #expect(Self.records(ciphertext).count == 1)
        try tls.serverWrapper.dataReceived(ciphertext[...])
        #expect(tls.server.received == (0..<50).flatMap(Self.piece))
    }

    @Test func aMixOfSmallAndLargeWritesThenLoseConnectionFillsWholeRecordsInOrder() throws {
        var expected: [UInt8] = []
        for index in 0..<300 { expected += Self.piece(index) }
        expected += pattern(40_000, seed: 3)
        for index in 300..<600 { expected += Self.piece(index) }
        let tls = try pair { client in
            var scratch: [UInt8] = []
            for index in 0..<300 {
                // One buffer, rewritten after each write (write(copying:) must copy).
                scratch = Self.piece(index)
                scratch.withUnsafeBytes { client.transport?.write(copying: $0) }
                for position in scratch.indices { scratch[position] = 0 }
            }
            client.transport?.write(pattern(40_000, seed: 3))
            client.transport?.writeSequence((300..<600).map { Self.piece($0)[...] })
            client.transport?.loseConnection()
            client.transport?.write(Array("dropped".utf8))
        }
        let ciphertext = try trigger(tls)
        let records = Self.records(ciphertext)
        // Full 16 KiB records, one partial one, then the close_notify alert: the fewest possible.
        let full = expected.count / TLSEngineRecordSize
        #expect(records.count == full + 2, "\(records.map(\.length))")
        #expect(records.prefix(full).allSatisfy { $0.length == TLSEngineRecordSize + 17 }, "\(records.map(\.length))")
        try tls.serverWrapper.dataReceived(ciphertext[...])
        tls.flush()
        #expect(tls.server.received == expected)
        #expect(tls.client.reason?.matches(ConnectionDone.self) == true)
        #expect(tls.server.reason?.matches(ConnectionDone.self) == true)
    }

    @Test func writesGatheredAroundAProducerAreSentInOrderBeforeTheDeferredClose() throws {
        let producer = CountingPushProducer()
        let tls = try pair { client in
            client.transport?.write(Array("before;".utf8))
            try? client.transport?.registerProducer(.push(producer))
            client.transport?.write(Array("during;".utf8))
            client.transport?.loseConnection()  // waits for the producer to unregister
            client.transport?.write(Array("still accepted;".utf8))
        }
        let ciphertext = try trigger(tls)
        #expect(Self.records(ciphertext).count == 1)
        try tls.serverWrapper.dataReceived(ciphertext[...])
        tls.client.transport?.write(Array("from the producer;".utf8))
        tls.client.transport?.unregisterProducer()
        tls.flush()
        #expect(tls.server.text == "before;during;still accepted;from the producer;")
        #expect(tls.client.reason?.matches(ConnectionDone.self) == true)
    }
}

/// The size of one TLS record's plaintext (the engine's slice).
let TLSEngineRecordSize = 16_384

/// A ``TLSRecorder`` that runs a closure on the first bytes it receives.
final class CallbackRecorder: TLSRecorder {
    let onData: (TLSRecorder) -> Void
    var ran = false

    init(_ onData: @escaping (TLSRecorder) -> Void) {
        self.onData = onData
        super.init()
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        try super.dataReceived(data)
        guard !ran else { return }
        ran = true
        onData(self)
    }
}

/// A push producer that only counts what it is asked.
final class CountingPushProducer: PushProducer {
    var pauses = 0
    var resumes = 0
    var stops = 0
    func pauseProducing() { pauses += 1 }
    func resumeProducing() { resumes += 1 }
    func stopProducing() { stops += 1 }
}

/// Two server connections of one factory share its gathering memory: a write to connection B from
/// inside A's `dataReceived` goes straight out on B, and neither's bytes end up in the other's
/// records.
@Suite struct TLSSharedGatheringTests {
    @Test func aWriteToAnotherConnectionFromInsideDataReceivedStaysOnThatConnection() throws {
        let clock = TestClock()
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let factory = TLSWrappingFactory(wrapping: Factory { nil }, context: serverContext, clock: clock)
        let serverB = TLSRecorder()
        let serverA = CallbackRecorder { a in
            a.transport?.write(Array("a1;".utf8))
            serverB.transport?.write(Array("b1;".utf8))
            serverB.transport?.writeSequence([Array("b2;".utf8)[...], Array("b3;".utf8)[...]])
            a.transport?.write(Array("a2;".utf8))
        }
        func connect(_ server: TLSRecorder) throws -> (client: TLSRecorder, pair: ConnectedPair) {
            let client = TLSRecorder()
            let pair = ConnectedPair(
                server: try TLSProtocolWrapper(wrapping: server, context: serverContext, clock: clock, factory: factory),
                client: try TLSProtocolWrapper(wrapping: client, context: clientContext, serverName: "localhost", clock: clock),
                clock: clock
            )
            try pair.flush()
            return (client, pair)
        }
        let (clientA, pairA) = try connect(serverA)
        let (clientB, pairB) = try connect(serverB)
        clientA.transport?.write(Array("go".utf8))
        try pairA.server.dataReceived(pairA.clientTransport.takeUnsent()[...])
        let toA = pairA.serverTransport.takeUnsent()
        let toB = pairB.serverTransport.takeUnsent()
        // A's two writes were gathered into one record; B's went out at once, one record each.
        #expect(TLSWriteCoalescingTests.records(toA).count == 1)
        #expect(TLSWriteCoalescingTests.records(toB).count == 3)
        try pairA.client.dataReceived(toA[...])
        try pairB.client.dataReceived(toB[...])
        #expect(clientA.text == "a1;a2;")
        #expect(clientB.text == "b1;b2;b3;")
        #expect(serverA.text == "go")
    }
}
