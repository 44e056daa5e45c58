import Twist
import TwistTestSupport

/// What one raw connection saw.
struct RawExchange: Sendable {
    var received: [UInt8] = []
    var closed = false
    var failed: String?
}

/// A client that writes `request` when connected, optionally hangs up after its first bytes, and
/// records everything into `log`; `done` runs once the connection is over (lost or failed).
final class RawClientFactory: ClientFactory {
    let request: [UInt8]
    let hangUpAfterFirstBytes: Bool
    let log: Shared<RawExchange>
    let done: () throws -> Void

    init(request: [UInt8] = [], hangUpAfterFirstBytes: Bool = false, log: Shared<RawExchange>, done: @escaping () throws -> Void) {
        self.request = request
        self.hangUpAfterFirstBytes = hangUpAfterFirstBytes
        self.log = log
        self.done = done
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        RawClient(owner: self)
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        log.mutate { $0.failed = "\(reason.error)" }
        try? done()
    }
}

final class RawClient: Protocol {
    let owner: RawClientFactory

    init(owner: RawClientFactory) {
        self.owner = owner
    }

    override func connectionMade() {
        if !owner.request.isEmpty { transport?.write(owner.request[...]) }
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        owner.log.mutate { $0.received.append(contentsOf: data) }
        if owner.hangUpAfterFirstBytes { transport?.abortConnection() }
    }

    override func connectionLost(reason: Failure) {
        owner.log.mutate { $0.closed = true }
        try? owner.done()
    }
}

/// Counts down and stops the reactor at zero.
final class Countdown {
    private var remaining: Int
    private let reactor: Reactor

    init(_ count: Int, _ reactor: Reactor) {
        remaining = count
        self.reactor = reactor
    }

    func tick() throws {
        remaining -= 1
        if remaining == 0 { try reactor.stop() }
    }
}
