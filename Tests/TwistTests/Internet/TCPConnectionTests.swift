import Glibc
import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// TCP over real sockets on 127.0.0.1, port 0.
@Suite(.timeLimit(.minutes(1))) struct TCPConnectionTests {
    @Test func anEchoRoundTripThenACleanCloseOnBothEnds() async {
        let client = Shared(ConnectionLog())
        let server = Shared(ConnectionLog())
        let notes = Shared<[String]>([])
        let addresses = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { RecordingClient(log: server, onData: { me, data in me.transport?.write(data) }) }, interface: "127.0.0.1")
            #expect(port.address.port! != 0)
            let factory = RecordingClientFactory(notes: notes) {
                RecordingClient(log: client, onConnected: { me in
                    addresses.value = ["\(me.transport!.host)", "\(me.transport!.peer)"]
                    me.transport?.write("hello".utf8)
                }, onData: { me, _ in
                    if client.value.received.count == 5 { me.transport?.loseConnection() }
                })
            }
            factory.notes.mutate { $0.append("port \(port.address.port!)") }
            reactor.connectTCP("127.0.0.1", port.address.port!, factory)
            reactor.callLater(0.5) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(client.value.received == Array("hello".utf8))
        #expect(server.value.received == Array("hello".utf8))
        #expect(client.value.events == ["made", "lost"])
        #expect(client.value.lostReason == "ConnectionDone")
        #expect(server.value.events == ["made", "lost"])
        #expect(server.value.lostReason == "ConnectionDone")
        let port = notes.value.first!.split(separator: " ")[1]
        #expect(notes.value.dropFirst() == ["startedConnecting", "lost: ConnectionDone"])
        #expect(addresses.value.count == 2)
        #expect(addresses.value[0].hasPrefix("127.0.0.1:"))
        #expect(addresses.value[1] == "127.0.0.1:\(port)")
    }

    @Test func sixtyFourMebibytesEchoedBackArriveIntactAndInOrder() async {
        let size = 64 << 20
        let sent = pattern(size, seed: 7)
        let client = Shared(ConnectionLog())
        let stopped = await runReactor(timeout: 50) { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            let factory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: client, onConnected: { me in
                    // Many writes of uneven sizes, most of them queued behind a full socket.
                    var offset = 0
                    var step = 1
                    while offset < size {
                        let end = min(size, offset + step * 997)
                        me.transport?.write(sent[offset..<end])
                        offset = end
                        step = step % 97 + 1
                    }
                }, onData: { me, _ in
                    if client.value.received.count == size {
                        me.transport?.loseConnection()
                        try reactor.stop()
                    }
                })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, factory)
        }
        #expect(stopped)
        #expect(client.value.received.count == size)
        #expect(sameBytes(client.value.received, sent))
    }

    @Test func loseConnectionSendsEverythingQueuedBeforeClosing() async {
        let size = 4 << 20
        let server = Shared(ConnectionLog())
        let stopped = await runReactor(timeout: 30) { reactor in
            let port = try reactor.listenTCP(0, Factory { RecordingClient(log: server) }, interface: "127.0.0.1")
            let factory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: Shared(ConnectionLog()), onConnected: { me in
                    me.transport?.write(pattern(size))
                    me.transport?.write([42])
                    me.transport?.loseConnection()
                    me.transport?.write([43])  // after loseConnection, before the close: still sent
                })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, factory)
            LoopingCall(clock: reactor) {
                if server.value.events.contains("lost") { try reactor.stop() }
            }.start(interval: 0.01)
        }
        #expect(stopped)
        #expect(server.value.received.count == size + 2)
        #expect(server.value.received.suffix(2) == [42, 43])
        #expect(server.value.lostReason == "ConnectionDone")
    }

    @Test func anErrorFromDataReceivedClosesOnlyThatConnection() async {
        struct Malformed: Error {}
        let capture = LogCapture()
        let bad = Shared(ConnectionLog())
        let good = Shared(ConnectionLog())
        let serverReasons = Shared<[String]>([])
        let stopped = await runReactor(logger: capture.logger()) { reactor in
            final class Picky: Protocol {
                let reasons: Shared<[String]>
                init(_ reasons: Shared<[String]>) { self.reasons = reasons }
                override func dataReceived(_ data: ArraySlice<UInt8>) throws {
                    if data.first == UInt8(ascii: "!") { throw Malformed() }
                    transport?.write(data)
                }
                override func connectionLost(reason: Failure) {
                    reasons.mutate { $0.append("\(type(of: reason.error))") }
                }
            }
            let port = try reactor.listenTCP(0, Factory { Picky(serverReasons) }, interface: "127.0.0.1")
            let badFactory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: bad, onConnected: { $0.transport?.write("!boom".utf8) })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, badFactory)
            reactor.callLater(0.1) {
                let goodFactory = RecordingClientFactory(notes: Shared([])) {
                    RecordingClient(log: good, onConnected: { $0.transport?.write("fine".utf8) }, onData: { me, _ in
                        if good.value.received.count == 4 { try reactor.stop() }
                    })
                }
                reactor.connectTCP("127.0.0.1", port.address.port!, goodFactory)
            }
        }
        #expect(stopped)
        #expect(serverReasons.value.first == "Malformed")
        #expect(bad.value.events == ["made", "lost"])
        #expect(good.value.received == Array("fine".utf8))
        #expect(capture.records.contains { $0.level == .error && $0.message.contains("dataReceived") })
    }

    @Test func abortConnectionReportsConnectionAbortedOnALaterPassNeverInsideTheCall() async {
        let serverEvents = Shared<[String]>([])
        let client = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            final class Aborter: Protocol {
                let events: Shared<[String]>
                init(_ events: Shared<[String]>) { self.events = events }
                override func dataReceived(_ data: ArraySlice<UInt8>) throws {
                    transport?.abortConnection()
                    transport?.write("never arrives".utf8)
                    transport?.abortConnection()
                    transport?.loseConnection()
                    events.mutate { $0.append("dataReceived returned") }
                }
                override func connectionLost(reason: Failure) {
                    events.mutate { $0.append("lost \(type(of: reason.error))") }
                }
            }
            let port = try reactor.listenTCP(0, Factory { Aborter(serverEvents) }, interface: "127.0.0.1")
            let factory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: client, onConnected: { $0.transport?.write("x".utf8) })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, factory)
            LoopingCall(clock: reactor) {
                if client.value.events.contains("lost") { try reactor.stop() }
            }.start(interval: 0.01)
        }
        #expect(stopped)
        #expect(serverEvents.value == ["dataReceived returned", "lost ConnectionAborted"])
        #expect(client.value.received.isEmpty)
        #expect(["ConnectionLost", "ConnectionDone"].contains(client.value.lostReason))
    }

    @Test func writesAfterTheConnectionIsGoneAreIgnored() async {
        let lateWrites = Shared(0)
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            final class Late: Protocol {
                let reactor: Reactor
                let done: Shared<Int>
                init(_ reactor: Reactor, _ done: Shared<Int>) { self.reactor = reactor; self.done = done }
                override func connectionMade() { transport?.loseConnection() }
                override func connectionLost(reason: Failure) {
                    transport?.write("too late".utf8)
                    transport?.writeSequence(["still".utf8[...].map { $0 }[...]])
                    done.value += 1
                    try? reactor.stop()
                }
            }
            let factory = RecordingClientFactory(notes: Shared([])) { Late(reactor, lateWrites) }
            reactor.connectTCP("127.0.0.1", port.address.port!, factory)
        }
        #expect(stopped)
        #expect(lateWrites.value == 1)
    }

    @Test func theReactorClosesOpenConnectionsWhenItShutsDown() async {
        let server = Shared(ConnectionLog())
        let client = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { RecordingClient(log: server) }, interface: "127.0.0.1")
            let factory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: client, onConnected: { _ in reactor.callLater(0.05) { try reactor.stop() } })
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, factory)
        }
        #expect(stopped)
        #expect(client.value.lostReason == "ConnectionLost")
        #expect(server.value.lostReason == "ConnectionLost")
    }
}
