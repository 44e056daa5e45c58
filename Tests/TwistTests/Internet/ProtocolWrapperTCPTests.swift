import Testing
import Twist
import TwistTestSupport

/// Counts the bytes passing each way into a tally the test reads after the reactor stops.
class TallyingWrapper: ProtocolWrapper {
    let tally: Shared<(bytesIn: Int, bytesOut: Int)>

    init(wrapping wrapped: Protocol, factory: WrappingFactory, tally: Shared<(bytesIn: Int, bytesOut: Int)>) {
        self.tally = tally
        super.init(wrapping: wrapped, factory: factory)
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        tally.mutate { $0.bytesIn += data.count }
        try super.dataReceived(data)
    }

    override func write(_ data: ArraySlice<UInt8>) {
        tally.mutate { $0.bytesOut += data.count }
        super.write(data)
    }

    override func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { tally.mutate { $0.bytesOut += chunk.count } }
        super.writeSequence(chunks)
    }
}

/// The same wrapper for half-closeable protocols: declaring the conformance is all it takes.
final class HalfCloseableTallyingWrapper: TallyingWrapper, HalfCloseableProtocol {}

/// Wraps each protocol in a tallying wrapper, half-closeable when the protocol is.
final class TallyingFactory: WrappingFactory {
    let tally = Shared((bytesIn: 0, bytesOut: 0))

    override func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
        wrapped is any HalfCloseableProtocol
            ? HalfCloseableTallyingWrapper(wrapping: wrapped, factory: self, tally: tally)
            : TallyingWrapper(wrapping: wrapped, factory: self, tally: tally)
    }
}

@Suite(.timeLimit(.minutes(1))) struct ProtocolWrapperTCPTests {
    @Test func aWrappedEchoServesARealTCPClientAndCountsBothWays() async {
        let message = Array("hello through a wrapper".utf8)
        let serverLog = Shared(ConnectionLog())
        let clientLog = Shared(ConnectionLog())
        let tally = Shared((bytesIn: 0, bytesOut: 0))
        let liveAtEnd = Shared(-1)
        let stopped = await runReactor { reactor in
            let factory = TallyingFactory(wrapping: Factory {
                RecordingClient(log: serverLog, onData: { me, data in me.transport?.write(data) })
            })
            let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1")
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) {
                RecordingClient(
                    log: clientLog,
                    onConnected: { $0.transport?.write(message[...]) },
                    onData: { me, _ in
                        if clientLog.value.received.count == message.count { me.transport?.loseConnection() }
                    })
            })
            LoopingCall(clock: reactor) {
                guard serverLog.value.events.contains("lost"), clientLog.value.events.contains("lost") else { return }
                tally.value = factory.tally.value
                liveAtEnd.value = factory.protocolCount
                try reactor.stop()
            }.start(interval: 0.01)
        }
        #expect(stopped)
        #expect(clientLog.value.received == message)
        #expect(serverLog.value.received == message)
        #expect(serverLog.value.events == ["made", "lost"])
        #expect(serverLog.value.lostReason == "ConnectionDone")
        #expect(tally.value.bytesIn == message.count)
        #expect(tally.value.bytesOut == message.count)
        #expect(liveAtEnd.value == 0)
    }

    @Test func aHalfCloseReachesAWrappedHalfCloseableProtocolOverTCP() async {
        let log = Shared<[String]>([])
        let tally = Shared((bytesIn: 0, bytesOut: 0))
        let stopped = await runReactor { reactor in
            let factory = TallyingFactory(wrapping: Factory {
                HalfCloser("server", log) { me in
                    me.transport?.write("ack".utf8)
                    me.transport?.loseConnection()
                }
            })
            let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1")
            final class Client: HalfCloser {
                let reactor: Reactor
                let done: () -> Void
                init(_ log: Shared<[String]>, _ reactor: Reactor, done: @escaping () -> Void) {
                    self.reactor = reactor
                    self.done = done
                    super.init("client", log) { $0.transport?.loseConnection() }
                }
                override func connectionMade() {
                    transport?.write("request".utf8)
                    (transport as? any TCPTransport)?.loseWriteConnection()
                }
                override func connectionLost(reason: Failure) {
                    super.connectionLost(reason: reason)
                    reactor.callLater(0.05) {
                        self.done()
                        try self.reactor.stop()
                    }
                }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) {
                Client(log, reactor) { tally.value = factory.tally.value }
            })
        }
        #expect(stopped)
        let events = log.value
        #expect(events.contains("server got request"))
        #expect(events.contains("server readConnectionLost"))
        #expect(events.contains("client got ack"))
        #expect(events.contains("server lost ConnectionDone"))
        #expect(events.contains("client lost ConnectionDone"))
        #expect(tally.value.bytesIn == 7)
        #expect(tally.value.bytesOut == 3)
    }
}
