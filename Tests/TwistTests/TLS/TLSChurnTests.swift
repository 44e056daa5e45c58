import Foundation
import Testing
import Twist
import TwistTestSupport

/// Many short TLS connections over loopback (handshake, one echo, close_notify both ways), on one
/// reactor: every one completes, and afterwards no wrapper, engine or protocol is alive (the TLS
/// layer holds no descriptor of its own; the stream engine's descriptors are counted by the soak).
/// 10,000 connections, or `TWIST_TLS_CHURN` (ThreadSanitizer's run uses fewer: each handshake
/// costs it tens of times more).
@Suite(.serialized, .timeLimit(.minutes(3))) struct TLSChurnTests {
    @Test func manyConnectionsLeaveNothingBehind() async throws {
        let connections = ProcessInfo.processInfo.environment["TWIST_TLS_CHURN"].flatMap { Int($0) } ?? 10_000
        let concurrency = 32
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let outcome = Shared<[String]>([])
        let stopped = await runReactor(timeout: 170) { reactor in
            let server = CountingTLSFactory(wrapping: Factory { TLSRecorder(echo: true) }, context: serverContext, clock: reactor)
            let port = try reactor.listenTCP(0, server, interface: "127.0.0.1")
            var started = 0
            var finished = 0
            var failures: [String] = []
            func startOne() {
                started += 1
                let client = TLSChurnClient { verdict in
                    finished += 1
                    if let verdict, failures.count < 5 { failures.append(verdict) }
                    if started < connections {
                        startOne()
                    } else if finished == connections {
                        // Let the last closes finish, then look for survivors.
                        reactor.callLater(0.2) {
                            outcome.value = [
                                "finished \(finished), failures \(failures)",
                                "live wrappers \(CountingTLSWrapper.live), live clients \(TLSChurnClient.live)",
                                "server factory connections \(server.protocolCount)",
                            ]
                            port.stopListening()
                            try reactor.stop()
                        }
                    }
                }
                let factory = CountingTLSFactory(wrapping: TLSChurnClientFactory(client), context: clientContext, serverName: "localhost", clock: reactor)
                reactor.connectTCP("127.0.0.1", port.address.port!, factory, timeout: 10, bindAddress: nil)
            }
            for _ in 0..<concurrency { startOne() }
        }
        #expect(stopped)
        #expect(outcome.value == [
            "finished \(connections), failures []",
            "live wrappers 0, live clients 0",
            "server factory connections 0",
        ])
    }
}

/// A TLS wrapping factory whose wrappers count themselves.
final class CountingTLSFactory: WrappingFactory {
    let context: TLSContext
    let serverName: String?
    let clock: any ReactorTime

    init(wrapping factory: Factory, context: TLSContext, serverName: String? = nil, clock: any ReactorTime) {
        self.context = context
        self.serverName = serverName
        self.clock = clock
        super.init(wrapping: factory)
        noisy = false
    }

    override func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
        // swiftlint:disable:next force_try
        try! CountingTLSWrapper(wrapping: wrapped, context: context, serverName: serverName, clock: clock, factory: self)
    }
}

/// Counts the TLS wrappers alive.
final class CountingTLSWrapper: TLSProtocolWrapper {
    nonisolated(unsafe) static var live = 0

    override init(wrapping wrappedProtocol: Protocol, context: TLSContext, serverName: String? = nil, clock: any ReactorTime, factory: WrappingFactory? = nil) throws {
        try super.init(wrapping: wrappedProtocol, context: context, serverName: serverName, clock: clock, factory: factory)
        Self.live += 1
    }

    deinit { Self.live -= 1 }
}

/// Builds the one client it was given, and then forgets it (a factory that kept its protocol would
/// make a cycle through the wrapper's `factory`).
final class TLSChurnClientFactory: ClientFactory {
    var client: TLSChurnClient?
    init(_ client: TLSChurnClient) {
        self.client = client
        super.init()
        noisy = false
    }
    override func buildProtocol(address: Address) -> Protocol? {
        defer { client = nil }
        return client
    }
    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) { client?.finish("connect failed: \(reason)") }
}

/// Sends one byte, closes on its echo, and reports nil (success) or what went wrong.
final class TLSChurnClient: Protocol {
    nonisolated(unsafe) static var live = 0
    let report: (String?) -> Void
    var echoed = false
    var reported = false

    init(report: @escaping (String?) -> Void) {
        self.report = report
        super.init()
        Self.live += 1
    }

    deinit { Self.live -= 1 }

    override func connectionMade() { transport?.write([42]) }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        echoed = true
        transport?.loseConnection()
    }

    override func connectionLost(reason: Failure) {
        finish(echoed && reason.matches(ConnectionDone.self) ? nil : "lost with \(reason) (echoed: \(echoed))")
    }

    func finish(_ verdict: String?) {
        guard !reported else { return }
        reported = true
        report(verdict)
    }
}
