import Glibc
import Twist
import TwistTestSupport

/// Echoes every byte back.
final class EchoProtocol: Protocol {
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        transport?.write(data)
    }
}

/// Records what a connection saw, into a Sendable log the test reads afterwards.
final class RecordingClient: Protocol {
    let log: Shared<ConnectionLog>
    let onConnected: (RecordingClient) throws -> Void
    let onData: (RecordingClient, ArraySlice<UInt8>) throws -> Void

    init(
        log: Shared<ConnectionLog>,
        onConnected: @escaping (RecordingClient) throws -> Void = { _ in },
        onData: @escaping (RecordingClient, ArraySlice<UInt8>) throws -> Void = { _, _ in }
    ) {
        self.log = log
        self.onConnected = onConnected
        self.onData = onData
    }

    override func connectionMade() {
        log.mutate { $0.events.append("made") }
        do { try onConnected(self) } catch { log.mutate { $0.events.append("onConnected threw \(error)") } }
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        log.mutate { $0.received.append(contentsOf: data) }
        try onData(self, data)
    }

    override func connectionLost(reason: Failure) {
        log.mutate {
            $0.events.append("lost")
            $0.lostReason = "\(type(of: reason.error))"
        }
    }
}

/// What one connection saw.
struct ConnectionLog: Sendable {
    var events: [String] = []
    var received: [UInt8] = []
    var lostReason: String?
}

/// A client factory that records its notifications and builds protocols with a closure.
class RecordingClientFactory: ClientFactory {
    let notes: Shared<[String]>
    let make: () -> Protocol?

    init(notes: Shared<[String]>, _ make: @escaping () -> Protocol?) {
        self.notes = notes
        self.make = make
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        let built = make()
        built?.factory = self
        return built
    }

    override func startedConnecting(_ connector: any Connector) {
        notes.mutate { $0.append("startedConnecting") }
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        notes.mutate { $0.append("failed: \(type(of: reason.error))") }
    }

    override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        notes.mutate { $0.append("lost: \(type(of: reason.error))") }
    }
}

/// A recording client factory whose every attempt should fail: stops the reactor when one does.
final class StopOnFailureFactory: RecordingClientFactory {
    let reactor: Reactor

    init(_ notes: Shared<[String]>, _ reactor: Reactor) {
        self.reactor = reactor
        super.init(notes: notes) { EchoProtocol() }
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        super.clientConnectionFailed(connector, reason: reason)
        try? reactor.stop()
    }
}

/// A deterministic byte pattern of `count` bytes: a 251-byte block (a prime, so chunk boundaries
/// never line up with it) repeated. Built by block, fast even in debug builds.
func pattern(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    let block = (0..<251).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + block.count)
    while bytes.count < count { bytes.append(contentsOf: block) }
    bytes.removeLast(bytes.count - count)
    return bytes
}

/// Whether two byte arrays are equal, with `memcmp` (fast in debug builds too).
func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, a.count) == 0 } }
}

/// A recording client factory that stops the reactor once its connection is lost: for tests that
/// run until the server has closed the one connection they make.
final class StopOnLostClientFactory: RecordingClientFactory {
    let reactor: Reactor

    init(_ reactor: Reactor, notes: Shared<[String]> = Shared([]), _ make: @escaping () -> Protocol?) {
        self.reactor = reactor
        super.init(notes: notes, make)
    }

    override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        super.clientConnectionLost(connector, reason: reason)
        try? reactor.stop()
    }
}
