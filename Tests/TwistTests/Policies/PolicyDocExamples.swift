import Logging
import Twist

// The code Docs/Policies.md shows, compiled with the tests (PolicyDocTests checks that every
// Swift block of the page appears here line for line, and runs what can run).

/// The page's `TimeoutMixin` example: echoes lines, says goodbye after a minute of silence.
final class Chat: LineReceiver, TimeoutMixin {
    let reactor: any ReactorTime
    lazy var connectionTimeout = ConnectionTimeout(clock: reactor, for: self)

    init(reactor: any ReactorTime) {
        self.reactor = reactor
    }

    override func connectionMade() {
        setTimeout(60)
    }

    override func lineReceived(_ line: ArraySlice<UInt8>) {
        resetTimeout()
        sendLine(line)
    }

    func timeoutConnection() {
        sendLine("idle for a minute, bye".utf8)
        transport?.loseConnection()
    }
}

/// The overflow protocol of the page's example: says it is busy and closes.
final class Busy: Protocol {
    override func connectionMade() {
        transport?.write("busy\r\n".utf8)
        transport?.loseConnection()
    }
}

/// The page's one-line policies, built around `factory` on `reactor`.
struct PolicyDocExamples {
    let oneLineTimeout: TimeoutFactory
    let capped: LimitTotalConnectionsFactory
    let perPeer: LimitConnectionsByPeer
    let throttled: ThrottlingFactory
    let logged: TrafficLoggingFactory

    init(factory: Factory, reactor: any ReactorTime) {
        let server = TimeoutFactory(wrapping: factory, idleTimeout: 30, clock: reactor)
        oneLineTimeout = server
        let capped = LimitTotalConnectionsFactory(wrapping: factory, connectionLimit: 1000) { Busy() }
        let perPeer = LimitConnectionsByPeer(wrapping: factory, maxConnectionsPerPeer: 5)
        self.capped = capped
        self.perPeer = perPeer
        let throttled = ThrottlingFactory(wrapping: factory, maxConnectionCount: 100, readLimit: 1 << 20, clock: reactor)
        self.throttled = throttled
        let logged = TrafficLoggingFactory(wrapping: factory, logger: Logger(label: "wire"), lengthLimit: 64)
        self.logged = logged
    }

    /// The page's stacking example (port 8000: compiled, not run).
    static func listenWithPolicies(_ reactor: Reactor, _ factory: Factory) throws {
        let policies = LimitConnectionsByPeer(
            wrapping: TimeoutFactory(wrapping: factory, idleTimeout: 30, clock: reactor),
            maxConnectionsPerPeer: 5
        )
        let port = try reactor.listenTCP(8000, policies)
        print("listening on \(port.address)")
    }
}
