import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// Greets each connection and reports, with the peer's host, when it is lost (the server side).
private final class Greeter: Protocol {
    let onLost: (String) -> Void
    private var peerHost = ""
    init(onLost: @escaping (String) -> Void) { self.onLost = onLost }
    override func connectionMade() {
        peerHost = transport?.peer.ip?.host ?? ""
        transport?.write(Array("hello\n".utf8))
    }
    override func connectionLost(reason: Failure) { onLost(peerHost) }
}

/// A client that reports what it receives and when it is lost.
private final class Client: Protocol {
    var received: [UInt8] = []
    let onMade: (Client) -> Void
    let onData: (Client) -> Void
    let onLost: (Client, Failure) -> Void

    init(onMade: @escaping (Client) -> Void = { _ in }, onData: @escaping (Client) -> Void = { _ in }, onLost: @escaping (Client, Failure) -> Void) {
        self.onMade = onMade
        self.onData = onData
        self.onLost = onLost
    }

    override func connectionMade() { onMade(self) }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        received.append(contentsOf: data)
        onData(self)
    }
    override func connectionLost(reason: Failure) { onLost(self, reason) }
}

/// The policies on real loopback sockets: a per-peer limit with IPv4 and IPv6 peers, and an idle
/// timeout. Every run is bounded by the reactor's watchdog.
@Suite("Policies over real sockets")
struct PolicySocketTests {
    /// With one connection allowed per peer: A is greeted; B, from the same host, is closed
    /// without a word; once A is gone (on the server too), C is greeted again — on 127.0.0.1 and
    /// on ::1, through one factory, each host with its own allowance.
    @Test func aPerPeerLimitRefusesTheSecondConnectionFromAHostAndAdmitsAgainAfterAClose() async throws {
        let events = Shared<[String]>([])
        let hasIPv6 = Shared(true)
        let capture = LogCapture()
        let stopped = await runReactor(timeout: 20) { reactor in
            // What to do when the server loses a connection from a host (once).
            var afterServerLoss: [String: () -> Void] = [:]
            let application = Factory {
                Greeter { host in afterServerLoss.removeValue(forKey: host)?() }
            }
            application.logger = capture.logger()
            let limited = LimitConnectionsByPeer(wrapping: application, maxConnectionsPerPeer: 1)
            func note(_ event: String) { events.mutate { $0.append(event) } }
            func connect(_ host: String, _ port: Int, _ client: Client) {
                reactor.connectTCP(host, port, ClientFactory { client })
            }

            /// Runs the A/B/C sequence against `host`, then `next`.
            func sequence(_ host: String, _ port: Int, then next: @escaping () throws -> Void) {
                var clientA: Client?
                let clientC = Client(onData: { c in
                    guard c.received == Array("hello\n".utf8) else { return }
                    note("\(host) C greeted")
                    c.transport?.loseConnection()
                }, onLost: { _, _ in try? next() })
                let clientB = Client(onLost: { b, _ in
                    note("\(host) B closed after \(b.received.count) bytes")
                    note("\(host) open from host: \(limited.connectionsByPeer[host] ?? 0)")
                    afterServerLoss[host] = {
                        note("\(host) A gone on the server")
                        connect(host, port, clientC)
                    }
                    clientA?.transport?.loseConnection()
                    clientA = nil
                })
                clientA = Client(onData: { a in
                    guard a.received == Array("hello\n".utf8) else { return }
                    note("\(host) A greeted")
                    connect(host, port, clientB)
                }, onLost: { _, _ in })
                connect(host, port, clientA!)
            }

            let v4 = try reactor.listenTCP(0, limited, interface: "127.0.0.1")
            let v6 = try? reactor.listenTCP(0, limited, interface: "::1")
            sequence("127.0.0.1", v4.address.port!) {
                guard let v6 else {
                    hasIPv6.value = false
                    try reactor.stop()
                    return
                }
                sequence("::1", v6.address.port!) { try reactor.stop() }
            }
        }
        #expect(stopped, "the watchdog had to stop the reactor: \(events.value)")
        var expected: [String] = []
        for host in hasIPv6.value ? ["127.0.0.1", "::1"] : ["127.0.0.1"] {
            expected += [
                "\(host) A greeted",
                "\(host) B closed after 0 bytes",
                "\(host) open from host: 1",
                "\(host) A gone on the server",
                "\(host) C greeted",
            ]
        }
        #expect(events.value == expected)
        let refusals = capture.records.filter { $0.level == .notice }.map(\.message)
        #expect(refusals.count == expected.count / 5, "one line per refused connection: \(refusals)")
        #expect(refusals.first?.hasPrefix("refused connection from 127.0.0.1:") == true)
        try #require(hasIPv6.value, "no IPv6 loopback on this machine: the IPv6 half did not run")
    }

    /// A server with a 0.5 s idle timeout: a client that writes every 0.1 s for 1 s stays
    /// connected, then is closed by the server about 0.5 s after it falls silent.
    @Test func theServerClosesAConnectionOnlyOnceItIsIdleForTheTimeout() async throws {
        let outcome = Shared<(lostAfter: Double, reason: String)?>(nil)
        let stopped = await runReactor(timeout: 20) { reactor in
            let server = TimeoutFactory(wrapping: Factory { Protocol() }, idleTimeout: 0.5, clock: reactor)
            let port = try reactor.listenTCP(0, server, interface: "127.0.0.1")
            var connectedAt = 0.0
            let client = Client(onMade: { client in
                connectedAt = reactor.seconds()
                for tick in 1...10 {
                    reactor.callLater(Double(tick) * 0.1) { client.transport?.write(Array("x".utf8)) }
                }
            }, onLost: { _, reason in
                outcome.value = (reactor.seconds() - connectedAt, "\(type(of: reason.error))")
                try? reactor.stop()
            })
            reactor.connectTCP("127.0.0.1", port.address.port!, ClientFactory { client })
        }
        #expect(stopped)
        let (lostAfter, reason) = try #require(outcome.value)
        #expect(lostAfter >= 1.5 - 0.05, "1.0 s of writes, then 0.5 s idle: lost after \(lostAfter) s")
        #expect(lostAfter < 5, "lost after \(lostAfter) s")
        #expect(reason == "ConnectionDone", "the server closed cleanly")
    }

    /// A read limit on a real connection: once a burst puts the server over the limit, a byte
    /// the client sends while reads are throttled is not delivered until the throttle lifts
    /// (the paused transport really stops reading), and then it is.
    @Test func aByteSentWhileReadsAreThrottledArrivesOnlyWhenTheThrottleLifts() async throws {
        let outcome = Shared<(heldFor: Double, throttledAtDelivery: Bool)?>(nil)
        let problem = Shared<String?>(nil)
        let stopped = await runReactor(timeout: 20) { reactor in
            var throttling: ThrottlingFactory?
            var sentAt: Double?
            let application = Factory {
                ByteWatcher { _ in
                    guard let sentAt else { return }
                    outcome.value = (reactor.seconds() - sentAt, throttling?.readsAreThrottled ?? true)
                    try? reactor.stop()
                }
            }
            let factory = ThrottlingFactory(wrapping: application, readLimit: 20_000, clock: reactor)
            throttling = factory
            let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1")
            let startedAt = reactor.seconds()
            let client = Client(onMade: { client in
                client.transport?.write([UInt8](repeating: 0, count: 60_000))
                func sendOnceThrottled() {
                    if factory.readsAreThrottled {
                        sentAt = reactor.seconds()
                        client.transport?.write(Array("x".utf8))
                    } else if reactor.seconds() - startedAt > 10 {
                        problem.value = "reads were never throttled"
                        try? reactor.stop()
                    } else {
                        reactor.callLater(0.02) { sendOnceThrottled() }
                    }
                }
                sendOnceThrottled()
            }, onLost: { _, _ in })
            reactor.connectTCP("127.0.0.1", port.address.port!, ClientFactory { client })
        }
        #expect(stopped)
        #expect(problem.value == nil, "\(problem.value ?? "")")
        let (heldFor, throttledAtDelivery) = try #require(outcome.value)
        #expect(!throttledAtDelivery, "delivered only once the throttle lifted")
        #expect(heldFor > 0.1, "held while throttled: \(heldFor) s")
        #expect(heldFor < 5, "held for \(heldFor) s")
    }
}

/// Calls `onX` when a chunk ending in "x" arrives (the server side of the throttling test).
private final class ByteWatcher: Protocol {
    let onX: (ByteWatcher) -> Void
    init(onX: @escaping (ByteWatcher) -> Void) { self.onX = onX }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if data.last == UInt8(ascii: "x") { onX(self) }
    }
}
