import Twist
import TwistTestSupport

import Testing

/// Takes the first `size` bytes of its connection straight into a buffer of its own (offering
/// the rest of that buffer before every read) and whatever comes after through `dataReceived`.
final class DirectBlockReader: Protocol {
    private var block: [UInt8]
    private var filled = 0
    private var offers = 0
    private var afterBlock: [UInt8] = []
    let log: Shared<DirectReadLog>

    init(size: Int, log: Shared<DirectReadLog>) {
        block = [UInt8](repeating: 0, count: size)
        self.log = log
    }

    override func readDirectly(_ read: (UnsafeMutableRawBufferPointer) -> Int) -> Int? {
        guard filled < block.count else { return nil }
        offers += 1
        let count = block.withUnsafeMutableBytes { read(UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
        if count > 0 { filled += min(count, block.count - filled) }
        return count
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        #expect(filled == block.count, "bytes reach dataReceived only after the block is full")
        afterBlock.append(contentsOf: data)
    }

    override func connectionLost(reason: Failure) {
        log.value = DirectReadLog(
            block: Array(block[..<filled]), afterBlock: afterBlock, offers: offers,
            reason: "\(type(of: reason.error))"
        )
    }
}

/// What a ``DirectBlockReader`` saw, read after the reactor stopped.
struct DirectReadLog: Sendable {
    var block: [UInt8] = []
    var afterBlock: [UInt8] = []
    var offers = 0
    var reason = ""
}

/// Writes `chunks` one per reactor pass, a little apart, then closes.
final class ChunkedSender: Protocol {
    let chunks: [[UInt8]]
    init(_ chunks: [[UInt8]]) { self.chunks = chunks }

    override func connectionMade() { send(0) }

    private func send(_ index: Int) {
        guard let transport, index < chunks.count else {
            transport?.loseConnection()
            return
        }
        transport.write(chunks[index][...])
        _ = (factory as? ChunkedSenderFactory)?.reactor.callLater(0.01) { [self] in send(index + 1) }
    }
}

final class ChunkedSenderFactory: ClientFactory {
    let reactor: Reactor
    let chunks: [[UInt8]]
    init(reactor: Reactor, chunks: [[UInt8]]) {
        self.reactor = reactor
        self.chunks = chunks
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        let sender = ChunkedSender(chunks)
        sender.factory = self
        return sender
    }
}

/// The engine's direct read over a real socket: the protocol's region is filled first, the bytes
/// after it are delivered with `dataReceived`, in order, and end of input during a direct read
/// closes as any end of input does.
@Suite struct StreamDirectReadTests {
    static func serve(size: Int, sending chunks: [[UInt8]], overUNIX: Bool = false) async -> (Bool, DirectReadLog) {
        let log = Shared(DirectReadLog())
        let directory = TemporaryDirectory()
        let path = directory.file("direct.sock")
        let stopped = await runReactor { reactor in
            let factory = Factory { DirectBlockReader(size: size, log: log) }
            let sender = ChunkedSenderFactory(reactor: reactor, chunks: chunks)
            if overUNIX {
                _ = try reactor.listenUNIX(path, factory)
                reactor.connectUNIX(path, sender)
            } else {
                let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1")
                reactor.connectTCP("127.0.0.1", port.address.port!, sender)
            }
            func stopOnceLost() {
                if log.value.reason.isEmpty {
                    reactor.callLater(0.01) { stopOnceLost() }
                } else {
                    try? reactor.stop()
                }
            }
            stopOnceLost()
        }
        return (stopped, log.value)
    }

    @Test(arguments: [false, true])
    func theRegionFillsFirstAndTheRestArrivesThroughDataReceivedInOrder(overUNIX: Bool) async {
        // Over a UNIX socket the read is a recvmsg into the same two buffers.
        let sent = pattern(300_000, seed: 5)
        let chunks = [Array(sent[..<7]), Array(sent[7..<150_000]), Array(sent[150_000...])]
        let (stopped, log) = await Self.serve(size: 200_000, sending: chunks, overUNIX: overUNIX)
        #expect(stopped)
        #expect(log.block == Array(sent[..<200_000]))
        #expect(log.afterBlock == Array(sent[200_000...]))
        #expect(log.offers >= 2, "one read per chunk at least: \(log.offers)")
        #expect(log.reason == "ConnectionDone")
    }

    @Test func endOfInputDuringADirectReadClosesCleanly() async {
        let sent = pattern(1_000, seed: 9)
        let (stopped, log) = await Self.serve(size: 50_000, sending: [sent])
        #expect(stopped)
        #expect(log.block == sent, "what arrived before the end is kept")
        #expect(log.afterBlock.isEmpty)
        #expect(log.reason == "ConnectionDone")
    }

    @Test func aLongNetstringSplitAcrossReadsIsEchoedWhole() async {
        let payload = pattern(90_000, seed: 2)
        let frame = Array("90000:".utf8) + payload + Array(",5:short,".utf8)
        let chunks = [Array(frame[..<3]), Array(frame[3..<20_000]), Array(frame[20_000..<90_000]), Array(frame[90_000...])]
        let client = Shared(ConnectionLog())
        let expected = frame
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { NetstringEchoing() }, interface: "127.0.0.1")
            let factory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: client, onConnected: { me in
                    func send(_ index: Int) {
                        guard index < chunks.count else { return }
                        me.transport?.write(chunks[index][...])
                        reactor.callLater(0.01) { send(index + 1) }
                    }
                    send(0)
                }, onData: { me, _ in
                    if client.value.received.count >= expected.count { me.transport?.loseConnection() }
                })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, factory)
            func stopOnceLost() {
                if client.value.lostReason == nil {
                    reactor.callLater(0.01) { stopOnceLost() }
                } else {
                    try? reactor.stop()
                }
            }
            stopOnceLost()
        }
        #expect(stopped)
        #expect(client.value.received == expected)
    }
}

/// Sends every netstring back.
final class NetstringEchoing: NetstringReceiver {
    override func stringReceived(_ string: ArraySlice<UInt8>) throws { sendString(string) }
}
