import Glibc
import Testing
@testable import Twist
import TwistTesting
import TwistTestSupport

/// Listening ports and client connectors over real sockets on loopback.
@Suite(.timeLimit(.minutes(1))) struct TCPPortAndConnectorTests {
    @Test func aRefusedConnectionReachesClientConnectionFailedWithItsErrno() async {
        let notes = Shared<[String]>([])
        let osError = Shared<Int32?>(nil)
        // A port that is bound but not listening refuses connections, and nobody else can take it.
        let holder = ReservedPort()
        let number = holder.port
        let stopped = await runReactor { reactor in
            final class Failing: RecordingClientFactory {
                let osError: Shared<Int32?>
                let reactor: Reactor
                init(_ notes: Shared<[String]>, _ osError: Shared<Int32?>, _ reactor: Reactor) {
                    self.osError = osError
                    self.reactor = reactor
                    super.init(notes: notes) { nil }
                }
                override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
                    super.clientConnectionFailed(connector, reason: reason)
                    osError.value = reason.check(ConnectionRefusedError.self)?.osError
                    notes.mutate { $0.append("users \(numberOfUsers)") }
                    reactor.callLater(0) { try self.reactor.stop() }
                }
                override func stopFactory() { notes.mutate { $0.append("stopFactory") } }
            }
            reactor.connectTCP("127.0.0.1", number, Failing(notes, osError, reactor))
        }
        withExtendedLifetime(holder) {}
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: ConnectionRefusedError", "users 1", "stopFactory"])
        #expect(osError.value == ECONNREFUSED)
    }

    @Test func aBusyPortThrowsCannotListenErrorAtOnce() async {
        let caught = Shared<String?>(nil)
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            do {
                _ = try reactor.listenTCP(port.address.port!, Factory { EchoProtocol() }, interface: "127.0.0.1")
            } catch let error as CannotListenError {
                caught.value = "\(error.port) \(error.osError ?? 0)"
            }
            try reactor.stop()
        }
        #expect(stopped)
        #expect(caught.value?.hasSuffix(" \(EADDRINUSE)") == true)
    }

    @Test func stopListeningFiresLaterAndThePortCanBeBoundAgainAtOnce() async {
        let order = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            // Outside the kernel's ephemeral range, so no other test's socket takes it in between.
            let port = try listenOutsideEphemeralRange(reactor)
            let number = port.address.port!
            port.stopListening().addCallback {
                order.mutate { $0.append("fired") }
                // Other tests start child processes (exit tests); a child forked while the port was
                // open holds the socket until it execs. So allow a few short retries.
                var attempts = 0
                func rebind() {
                    attempts += 1
                    do {
                        let again = try reactor.listenTCP(number, Factory { EchoProtocol() }, interface: "127.0.0.1")
                        order.mutate { $0.append("rebound \(again.address.port! == number)") }
                        try? reactor.stop()
                    } catch {
                        guard attempts < 20 else {
                            order.mutate { $0.append("rebind failed: \(error)") }
                            try? reactor.stop()
                            return
                        }
                        reactor.callLater(0.02) { rebind() }
                    }
                }
                rebind()
            }
            order.mutate { $0.append("returned") }
        }
        #expect(stopped)
        #expect(order.value == ["returned", "fired", "rebound true"])
    }

    @Test func aFactoryIsStartedByItsFirstPortAndStoppedByItsLast() async {
        let events = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            final class Counting: ServerFactory {
                let events: Shared<[String]>
                init(_ events: Shared<[String]>) { self.events = events; super.init() }
                override func startFactory() { events.mutate { $0.append("start") } }
                override func stopFactory() { events.mutate { $0.append("stop") } }
            }
            let factory = Counting(events)
            let ports = try (0..<3).map { _ in try reactor.listenTCP(0, factory, interface: "127.0.0.1") }
            ports[0].stopListening()
            ports[1].stopListening()
            events.mutate { $0.append("two closed") }
            ports[2].stopListening().addCallback { try reactor.stop() }
        }
        #expect(stopped)
        #expect(events.value == ["start", "two closed", "stop"])
    }

    @Test func aServerFactoryThatRefusesClosesThatConnectionAndServesTheNext() async {
        let first = Shared(ConnectionLog())
        let second = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            var built = 0
            let port = try reactor.listenTCP(0, Factory {
                built += 1
                return built == 1 ? nil : EchoProtocol()
            }, interface: "127.0.0.1")
            let refused = RecordingClientFactory(notes: Shared([])) { RecordingClient(log: first) }
            reactor.connectTCP("127.0.0.1", port.address.port!, refused)
            reactor.callLater(0.05) {
                let served = RecordingClientFactory(notes: Shared([])) {
                    RecordingClient(log: second, onConnected: { $0.transport?.write([1, 2, 3]) }, onData: { _, _ in
                        if second.value.received.count == 3 { try reactor.stop() }
                    })
                }
                reactor.connectTCP("127.0.0.1", port.address.port!, served)
            }
        }
        #expect(stopped)
        #expect(first.value.events == ["made", "lost"])
        #expect(second.value.received == [1, 2, 3])
    }

    @Test func aClientFactoryThatRefusesFailsTheAttemptWithNoProtocol() async {
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: notes) { nil })
            reactor.callLater(0.1) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: NoProtocol"])
    }

    @Test func stopConnectingFailsTheAttemptWithUserErrorAndIsAnErrorWhenNotConnecting() async {
        let notes = Shared<[String]>([])
        let secondStop = Shared<String?>(nil)
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            let connector = reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: notes) { EchoProtocol() })
            try connector.stopConnecting()
            do { try connector.stopConnecting() } catch { secondStop.value = "\(type(of: error))" }
            #expect(connector.destination == .ipv4("127.0.0.1", port.address.port!))
            reactor.callLater(0.05) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: UserError"])
        #expect(secondStop.value == "NotConnectingError")
    }

    @Test func aConnectorCanReconnectFromClientConnectionLost() async {
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            final class Reconnecting: RecordingClientFactory {
                var connections = 0
                let reactor: Reactor
                init(_ notes: Shared<[String]>, _ reactor: Reactor) {
                    self.reactor = reactor
                    super.init(notes: notes) { nil }
                }
                override func buildProtocol(address: Address) -> Protocol? {
                    connections += 1
                    return RecordingClient(log: Shared(ConnectionLog()), onConnected: { $0.transport?.loseConnection() })
                }
                override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
                    super.clientConnectionLost(connector, reason: reason)
                    if connections < 3 { connector.connect() } else { try? reactor.stop() }
                }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, Reconnecting(notes, reactor))
        }
        #expect(stopped)
        #expect(notes.value.filter { $0.hasPrefix("lost") }.count == 3)
        #expect(notes.value.filter { $0 == "startedConnecting" }.count == 3)
    }

    @Test func aHostNameIsResolvedWithoutBlockingTheLoop() async {
        let client = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            let factory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: client, onConnected: { $0.transport?.write("named".utf8) }, onData: { _, _ in
                    if client.value.received.count == 5 { try reactor.stop() }
                })
            }
            reactor.connectTCP("localhost", port.address.port!, factory)
        }
        #expect(stopped)
        #expect(client.value.received == Array("named".utf8))
    }

    @Test func anUnresolvableHostFailsWithDNSLookupError() async {
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            reactor.connectTCP("no-such-host.invalid", 80, StopOnFailureFactory(notes, reactor))
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: DNSLookupError"])
    }

    @Test func ipv6LoopbackWorksWhereTheMachineHasIt() async throws {
        let client = Shared(ConnectionLog())
        let listened = Shared(false)
        let stopped = await runReactor { reactor in
            guard let port = try? reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "::1") else {
                try reactor.stop()
                return
            }
            listened.value = true
            #expect(port.address.ip?.family == .ipv6)
            let factory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: client, onConnected: { $0.transport?.write("six".utf8) }, onData: { _, _ in
                    if client.value.received.count == 3 { try reactor.stop() }
                })
            }
            reactor.connectTCP("::1", port.address.port!, factory)
        }
        #expect(stopped)
        try #require(listened.value, "no IPv6 loopback on this machine")
        #expect(client.value.received == Array("six".utf8))
    }

    @Test func aFailureFoundWhileConnectingIsReportedAfterConnectTCPReturns() async {
        let notes = Shared<[String]>([])
        let atReturn = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            // 192.0.2.1 (TEST-NET-1) is no local address: the bind fails inside connectTCP.
            reactor.connectTCP("127.0.0.1", 9, StopOnFailureFactory(notes, reactor), bindAddress: .ipv4("192.0.2.1", 0))
            atReturn.value = notes.value
        }
        #expect(stopped)
        #expect(atReturn.value == ["startedConnecting"])
        #expect(notes.value == ["startedConnecting", "failed: ConnectBindError"])
    }
}

/// Listens on the first free port from a pseudo-random start in 20000–29999, below the kernel's
/// ephemeral range (where port-0 binds and outgoing connections take their ports).
func listenOutsideEphemeralRange(_ reactor: Reactor) throws -> any ListeningPort {
    let start = 20_000 + Int(getpid() % 5_000) * 2
    for candidate in start..<(start + 200) {
        if let port = try? reactor.listenTCP(candidate, Factory { EchoProtocol() }, interface: "127.0.0.1") {
            return port
        }
    }
    return try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
}
