import Testing
import Twist
import TwistTestSupport

/// A protocol that can live with half a connection, recording what it hears.
class HalfCloser: Protocol, HalfCloseableProtocol {
    let log: Shared<[String]>
    let name: String
    let onReadClosed: (HalfCloser) throws -> Void

    init(_ name: String, _ log: Shared<[String]>, onReadClosed: @escaping (HalfCloser) throws -> Void = { _ in }) {
        self.name = name
        self.log = log
        self.onReadClosed = onReadClosed
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        log.mutate { $0.append("\(name) got \(String(decoding: data, as: UTF8.self))") }
    }

    func readConnectionLost() throws {
        log.mutate { $0.append("\(name) readConnectionLost") }
        try onReadClosed(self)
    }

    func writeConnectionLost() throws {
        log.mutate { $0.append("\(name) writeConnectionLost") }
    }

    override func connectionLost(reason: Failure) {
        log.mutate { $0.append("\(name) lost \(type(of: reason.error))") }
    }
}

@Suite(.timeLimit(.minutes(1))) struct TCPHalfCloseTests {
    @Test func aHalfCloseLetsThePeerReplyBeforeTheConnectionEnds() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory {
                HalfCloser("server", log) { me in
                    me.transport?.write("ack".utf8)
                    me.transport?.loseConnection()
                }
            }, interface: "127.0.0.1")
            final class Client: HalfCloser {
                let reactor: Reactor
                init(_ log: Shared<[String]>, _ reactor: Reactor) {
                    self.reactor = reactor
                    // Both halves closed: ending the connection is the application's job, as in Twisted.
                    super.init("client", log) { $0.transport?.loseConnection() }
                }
                override func connectionMade() {
                    transport?.write("request".utf8)
                    (transport as? any TCPTransport)?.loseWriteConnection()
                    transport?.write("dropped".utf8)
                }
                override func connectionLost(reason: Failure) {
                    super.connectionLost(reason: reason)
                    reactor.callLater(0.05) { try self.reactor.stop() }
                }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) { Client(log, reactor) })
        }
        #expect(stopped)
        let events = log.value
        #expect(events.contains("client writeConnectionLost"))
        #expect(events.contains("server got request"))
        #expect(!events.contains { $0.contains("dropped") })
        #expect(events.firstIndex(of: "server got request")! < events.firstIndex(of: "server readConnectionLost")!)
        #expect(events.contains("client got ack"))
        #expect(events.contains("server lost ConnectionDone"))
        #expect(events.contains("client lost ConnectionDone"))
    }

    @Test func anOrdinaryProtocolSeesThePeersHalfCloseAsConnectionDone() async {
        let log = Shared<[String]>([])
        let server = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { RecordingClient(log: server) }, interface: "127.0.0.1")
            final class Client: HalfCloser {
                override func connectionMade() { (transport as? any TCPTransport)?.loseWriteConnection() }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) { Client("client", log) })
            LoopingCall(clock: reactor) {
                if server.value.events.contains("lost") { try reactor.stop() }
            }.start(interval: 0.01)
        }
        #expect(stopped)
        #expect(server.value.lostReason == "ConnectionDone")
    }

    @Test func anErrorFromAHalfCloseNotificationClosesTheWholeConnection() async {
        struct Broken: Error {}
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { HalfCloser("server", log) { _ in throw Broken() } }, interface: "127.0.0.1")
            final class Client: HalfCloser {
                let reactor: Reactor
                init(_ log: Shared<[String]>, _ reactor: Reactor) {
                    self.reactor = reactor
                    // Both halves closed: ending the connection is the application's job, as in Twisted.
                    super.init("client", log) { $0.transport?.loseConnection() }
                }
                override func connectionMade() { (transport as? any TCPTransport)?.loseWriteConnection() }
                override func connectionLost(reason: Failure) {
                    super.connectionLost(reason: reason)
                    reactor.callLater(0.05) { try self.reactor.stop() }
                }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) { Client(log, reactor) })
        }
        #expect(stopped)
        #expect(log.value.contains("server lost Broken"))
    }
}
