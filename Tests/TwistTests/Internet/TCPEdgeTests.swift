import Foundation
import Glibc
import Testing
@testable import Twist

/// Edges of the TCP layer: bind failures, notification order, aborting against a full buffer,
/// and churn at scale.
@Suite(.timeLimit(.minutes(1))) struct TCPEdgeTests {
    @Test func aBusyBindAddressFailsTheAttemptWithConnectBindError() async {
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            final class Stopping: RecordingClientFactory {
                let reactor: Reactor
                init(_ notes: Shared<[String]>, _ reactor: Reactor) { self.reactor = reactor; super.init(notes: notes) { nil } }
                override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
                    super.clientConnectionFailed(connector, reason: reason)
                    try? reactor.stop()
                }
            }
            // Binding to the listening port's own address cannot succeed.
            reactor.connectTCP("127.0.0.1", port.address.port, Stopping(notes, reactor), bindAddress: port.address)
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
                override func buildProtocol(address: IPAddress) -> Protocol? { Closer(order) }
                override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
                    order.mutate { $0.append("factory") }
                    try? reactor.stop()
                }
            }
            reactor.connectTCP("127.0.0.1", port.address.port, OrderFactory(order, reactor))
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
            reactor.connectTCP("127.0.0.1", port.address.port, RecordingClientFactory(notes: Shared([])) { Flooder(reason, reactor) })
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
                reactor.connectTCP("127.0.0.1", port.address.port, factory)
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

    override func buildProtocol(address: IPAddress) -> Protocol? {
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
            ClientCreator(reactor: reactor) { RecordingClient(log: log) }
                .connectTCP("127.0.0.1", port.address.port)
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
        let holder = BoundSocket()
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
            let connecting = ClientCreator(reactor: reactor) { EchoProtocol() }.connectTCP("127.0.0.1", port.address.port)
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
