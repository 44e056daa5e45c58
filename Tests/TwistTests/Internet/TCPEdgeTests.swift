import Foundation
import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// Edges of the TCP layer: bind failures, notification order, aborting against a full buffer,
/// and churn at scale.
@Suite(.timeLimit(.minutes(1))) struct TCPEdgeTests {
    @Test func aBusyBindAddressFailsTheAttemptWithConnectBindError() async {
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            // Binding to the listening port's own address cannot succeed.
            reactor.connectTCP("127.0.0.1", port.address.port!, StopOnFailureFactory(notes, reactor), bindAddress: port.address.ip)
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: ConnectBindError"])
    }

    @Test func clientConnectionLostComesAfterTheProtocolsConnectionLost() async {
        let order = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            final class Closer: Protocol {
                let order: Shared<[String]>
                init(_ order: Shared<[String]>) { self.order = order }
                override func connectionMade() { transport?.loseConnection() }
                override func connectionLost(reason: Failure) { order.mutate { $0.append("protocol") } }
            }
            final class OrderFactory: ClientFactory {
                let order: Shared<[String]>
                let reactor: Reactor
                init(_ order: Shared<[String]>, _ reactor: Reactor) { self.order = order; self.reactor = reactor; super.init() }
                override func buildProtocol(address: Address) -> Protocol? { Closer(order) }
                override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
                    order.mutate { $0.append("factory") }
                    try? reactor.stop()
                }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, OrderFactory(order, reactor))
        }
        #expect(stopped)
        #expect(order.value == ["protocol", "factory"])
    }

    @Test func abortWorksWhenThePeerStoppedReadingAndTheSendBufferIsFull() async {
        let reason = Shared<String?>(nil)
        let stopped = await runReactor { reactor in
            final class NeverReads: Protocol {
                override func connectionMade() { transport?.pauseProducing() }
            }
            let port = try reactor.listenTCP(0, Factory { NeverReads() }, interface: "127.0.0.1")
            final class Flooder: Protocol {
                let reason: Shared<String?>
                let reactor: Reactor
                init(_ reason: Shared<String?>, _ reactor: Reactor) { self.reason = reason; self.reactor = reactor }
                override func connectionMade() {
                    for _ in 0..<256 { transport?.write([UInt8](repeating: 1, count: 65_536)) }  // 16 MiB: far past any buffer
                    reactor.callLater(0.1) { self.transport?.abortConnection() }
                }
                override func connectionLost(reason: Failure) {
                    self.reason.value = "\(type(of: reason.error))"
                    try? reactor.stop()
                }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) { Flooder(reason, reactor) })
        }
        #expect(stopped)
        #expect(reason.value == "ConnectionAborted")
    }

    @Test func tenThousandConnectionsLeaveNoObjectsAndNoDescriptorsBehind() async {
        // In a child process, so the descriptor count is this test's alone.
        await #expect(processExitsWith: .exitCode(0)) {
            let total = 10_000
            let concurrency = 8
            let reactor = Reactor()
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            let socketsBefore = openSockets()
            var started = 0
            var finished = 0
            var survivors: [() -> Bool] = []
            var verdict: Int32 = 20

            func connectNext() {
                guard started < total else { return }
                started += 1
                let factory = ChurnFactory {
                    finished += 1
                    if finished == total {
                        // The server ends close a moment later: wait (bounded) until all are gone.
                        let deadline = reactor.seconds() + 5
                        LoopingCall(clock: reactor) {
                            let alive = survivors.filter { $0() }.count
                            let settled = alive == 0 && reactor.core.handlers.count == 1 && openSockets() == socketsBefore
                            guard settled || reactor.seconds() > deadline else { return }
                            verdict = settled ? 0 : 21
                            try reactor.stop()
                        }.start(interval: 0.01)
                    } else {
                        connectNext()
                    }
                }
                survivors.append { [weak factory] in factory != nil }
                reactor.connectTCP("127.0.0.1", port.address.port!, factory)
            }
            reactor.callWhenRunning { for _ in 0..<concurrency { connectNext() } }
            reactor.callLater(50) { try reactor.stop() }
            try reactor.run()
            exit(verdict)
        }
    }
}

/// How many sockets this process has open (other descriptors, like the test runtime's pipes, are
/// not counted).
func openSockets() -> Int {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.filter { fd in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"))?.hasPrefix("socket:") == true
    }.count
}

/// Connects, sends a byte, closes once it comes back, and reports when the connection is over.
final class ChurnFactory: ClientFactory {
    let done: () -> Void

    init(done: @escaping () -> Void) {
        self.done = done
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        ChurnClient()
    }

    override func clientConnectionLost(_ connector: any Connector, reason: Failure) { done() }
    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) { done() }
}

/// The protocol of ``ChurnFactory``.
final class ChurnClient: Protocol {
    override func connectionMade() { transport?.write([7]) }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { transport?.loseConnection() }
}

/// ClientCreator: a connection as a Deferred of its protocol.
@Suite(.timeLimit(.minutes(1))) struct ClientCreatorTests {
    @Test func theDeferredFiresWithTheConnectedProtocolAfterConnectionMade() async {
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            let log = Shared(ConnectionLog())
            _ = ClientCreator(reactor: reactor) { RecordingClient(log: log) }
                .connectTCP("127.0.0.1", port.address.port!)
                .addCallback { client in
                    outcome.mutate { $0.append("connected: \(client.isConnected), made before: \(log.value.events == ["made"])") }
                    client.transport?.loseConnection()
                    reactor.callLater(0.02) { try reactor.stop() }
                }
        }
        #expect(stopped)
        #expect(outcome.value == ["connected: true, made before: true"])
    }

    @Test func aFailedAttemptFailsTheDeferred() async {
        let outcome = Shared<String?>(nil)
        let holder = ReservedPort()
        let number = holder.port
        let stopped = await runReactor { reactor in
            ClientCreator(reactor: reactor) { EchoProtocol() }
                .connectTCP("127.0.0.1", number)
                .addErrback { failure -> EchoProtocol in
                    outcome.value = "\(type(of: failure.error))"
                    try reactor.stop()
                    throw failure
                }
                .addErrback { _ in EchoProtocol() }
        }
        withExtendedLifetime(holder) {}
        #expect(stopped)
        #expect(outcome.value == "ConnectionRefusedError")
    }

    @Test func cancellingWhileConnectingStopsTheAttemptWithCancelledError() async {
        let outcome = Shared<String?>(nil)
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            let connecting = ClientCreator(reactor: reactor) { EchoProtocol() }.connectTCP("127.0.0.1", port.address.port!)
            connecting.addErrback { failure -> EchoProtocol in
                outcome.value = "\(type(of: failure.error))"
                return EchoProtocol()
            }
            connecting.cancel()
            reactor.callLater(0.05) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(outcome.value == "CancelledError")
    }
}

/// Fairness: one connection that never stops sending does not starve another.
@Suite(.timeLimit(.minutes(1))) struct TCPFairnessTests {
    @Test func aFloodingPeerDoesNotStarveAnotherConnection() async {
        let pong = Shared(ConnectionLog())
        let flooded = Shared(0)
        let floodDone = Shared(false)
        let stopped = await runReactor(timeout: 20) { reactor in
            final class Counting: Protocol {
                let flooded: Shared<Int>
                init(_ flooded: Shared<Int>) { self.flooded = flooded }
                override func dataReceived(_ data: ArraySlice<UInt8>) throws {
                    if data.first == 0x66 { flooded.value += data.count } else { transport?.write(data) }
                }
            }
            let port = try reactor.listenTCP(0, Factory { Counting(flooded) }, interface: "127.0.0.1")
            // A peer on another thread that writes as fast as the socket takes it (bounded: 1 GiB).
            let number = port.address.port!
            Thread {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(number)).bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                let block = [UInt8](repeating: 0x66, count: 65_536)
                var sent = 0
                while connected == 0, !floodDone.value, sent < 1 << 30 {
                    let written = block.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard written > 0 else { break }
                    sent += written
                }
                close(fd)
            }.start()
            // Once the flood is flowing, a second client pings and must hear back.
            LoopingCall(clock: reactor) {
                guard flooded.value > 4 << 20, pong.value.events.isEmpty else { return }
                reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) {
                    RecordingClient(log: pong, onConnected: { $0.transport?.write("ping".utf8) }, onData: { _, _ in
                        if pong.value.received.count == 4 {
                            floodDone.value = true
                            try reactor.stop()
                        }
                    })
                })
            }.start(interval: 0.01)
        }
        floodDone.value = true
        #expect(stopped)
        #expect(pong.value.received == Array("ping".utf8))
        #expect(flooded.value > 4 << 20)
    }
}

/// Smaller contract points of the TCP layer.
@Suite(.timeLimit(.minutes(1))) struct TCPContractTests {
    @Test func theSameConnectorIsPassedToEveryNotification() async {
        let identities = Shared<[ObjectIdentifier]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            final class Watching: ClientFactory {
                let identities: Shared<[ObjectIdentifier]>
                let reactor: Reactor
                init(_ identities: Shared<[ObjectIdentifier]>, _ reactor: Reactor) {
                    self.identities = identities
                    self.reactor = reactor
                    super.init()
                }
                override func buildProtocol(address: Address) -> Protocol? {
                    RecordingClient(log: Shared(ConnectionLog()), onConnected: { $0.transport?.loseConnection() })
                }
                override func startedConnecting(_ connector: any Connector) {
                    identities.mutate { $0.append(ObjectIdentifier(connector)) }
                }
                override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
                    identities.mutate { $0.append(ObjectIdentifier(connector)) }
                    try? reactor.stop()
                }
            }
            let connector = reactor.connectTCP("127.0.0.1", port.address.port!, Watching(identities, reactor))
            identities.mutate { $0.append(ObjectIdentifier(connector)) }
        }
        #expect(stopped)
        #expect(identities.value.count == 3)
        #expect(Set(identities.value).count == 1)
    }

    @Test func loseConnectionWaitsForARegisteredPullProducerAndIsHarmlessTwice() async {
        let server = Shared(ConnectionLog())
        let order = Shared<[String]>([])
        let asked = Shared(0)
        let stopped = await runReactor { reactor in
            final class Idle: PullProducer {
                let asked: Shared<Int>
                init(_ asked: Shared<Int>) { self.asked = asked }
                func resumeProducing() { asked.value += 1 }
                func stopProducing() {}
            }
            final class Finisher: Protocol {
                let reactor: Reactor
                let order: Shared<[String]>
                let asked: Shared<Int>
                init(_ reactor: Reactor, _ order: Shared<[String]>, _ asked: Shared<Int>) {
                    self.reactor = reactor
                    self.order = order
                    self.asked = asked
                }
                override func connectionMade() {
                    try? transport?.registerProducer(.pull(Idle(asked)))
                    transport?.write("last words".utf8)
                    transport?.loseConnection()
                    transport?.loseConnection()
                    transport?.write(" and more".utf8)  // still sent: the close waits for the producer
                    reactor.callLater(0.05) {
                        self.order.mutate { $0.append("unregister") }
                        self.transport?.unregisterProducer()
                    }
                }
            }
            let port = try reactor.listenTCP(0, Factory { RecordingClient(log: server) }, interface: "127.0.0.1")
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) { Finisher(reactor, order, asked) })
            LoopingCall(clock: reactor) {
                if server.value.events.contains("lost") {
                    order.mutate { $0.append("server lost") }
                    try reactor.stop()
                }
            }.start(interval: 0.01)
        }
        #expect(stopped)
        #expect(order.value == ["unregister", "server lost"])
        #expect(String(decoding: server.value.received, as: UTF8.self) == "last words and more")
        #expect(server.value.lostReason == "ConnectionDone")
        #expect(asked.value >= 2, "asked when registered, and again once drained while disconnecting")
    }

    /// Twisted's rule: only a pull producer holds the close; a streaming one (the usual
    /// back-pressure set-up) does not, and is stopped when the connection goes.
    @Test func loseConnectionDoesNotWaitForARegisteredStreamingProducer() async {
        let server = Shared(ConnectionLog())
        let producerEvents = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            final class Streaming: PushProducer {
                let events: Shared<[String]>
                init(_ events: Shared<[String]>) { self.events = events }
                func pauseProducing() { events.mutate { $0.append("pause") } }
                func resumeProducing() { events.mutate { $0.append("resume") } }
                func stopProducing() { events.mutate { $0.append("stop") } }
            }
            final class Closer: Protocol {
                let events: Shared<[String]>
                init(_ events: Shared<[String]>) { self.events = events }
                override func connectionMade() {
                    try? transport?.registerProducer(.push(Streaming(events)))
                    transport?.write("bye".utf8)
                    transport?.loseConnection()
                }
            }
            let port = try reactor.listenTCP(0, Factory { RecordingClient(log: server) }, interface: "127.0.0.1")
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) { Closer(producerEvents) })
            LoopingCall(clock: reactor) {
                if server.value.events.contains("lost") { try reactor.stop() }
            }.start(interval: 0.01)
        }
        #expect(stopped)
        #expect(String(decoding: server.value.received, as: UTF8.self) == "bye")
        #expect(server.value.lostReason == "ConnectionDone")
        #expect(producerEvents.value == ["stop"])
    }

    @Test func aProducerRegisteredOnAClosedTransportIsStoppedAtOnce() async {
        let events = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            final class Producer: PushProducer {
                let events: Shared<[String]>
                init(_ events: Shared<[String]>) { self.events = events }
                func pauseProducing() { events.mutate { $0.append("pause") } }
                func resumeProducing() { events.mutate { $0.append("resume") } }
                func stopProducing() { events.mutate { $0.append("stop") } }
            }
            final class LateRegistration: Protocol {
                let events: Shared<[String]>
                let reactor: Reactor
                init(_ events: Shared<[String]>, _ reactor: Reactor) { self.events = events; self.reactor = reactor }
                override func connectionMade() { transport?.abortConnection() }
                override func connectionLost(reason: Failure) {
                    try? transport?.registerProducer(.push(Producer(events)))
                    try? reactor.stop()
                }
            }
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) { LateRegistration(events, reactor) })
        }
        #expect(stopped)
        #expect(events.value == ["stop"])
    }
}
