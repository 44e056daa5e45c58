import Testing
import TwistCore
import TwistTesting

/// The application factory of the ClientService tests: builds ``RecordingProtocol``s (or
/// half-closeable ones, or none), keeps them, and records its start and stop.
final class ClientServiceAppFactory: Factory {
    var built: [Protocol] = []
    var refuses = false
    var halfCloseable = false
    var events: [String] = []
    /// When set, the protocols built run it from their `connectionMade`.
    var onConnectionMade: (() -> Void)?
    /// When set, the protocols built run it from their `connectionLost`.
    var onConnectionLost: (() -> Void)?

    override func buildProtocol(address: Address) -> Protocol? {
        if refuses { return nil }
        let made: Protocol =
            if onConnectionMade != nil || onConnectionLost != nil { CallingProtocol(made: onConnectionMade, lost: onConnectionLost) }
            else if halfCloseable { HalfCloseRecorder() }
            else { RecordingProtocol() }
        made.factory = self
        built.append(made)
        return made
    }

    override func startFactory() { events.append("start") }
    override func stopFactory() { events.append("stop") }
}

/// A protocol that runs closures from its `connectionMade` and `connectionLost`.
final class CallingProtocol: Protocol {
    let made: (() -> Void)?
    let lost: (() -> Void)?
    init(made: (() -> Void)?, lost: (() -> Void)?) {
        self.made = made
        self.lost = lost
    }
    override func connectionMade() { made?() }
    override func connectionLost(reason: Failure) { lost?() }
}

/// One connection a test made for the service: the transport, and the protocol the reactor holds
/// (the endpoint's outer wrapper), through which the test delivers what a reactor would.
struct ClientServiceConnectionUnderTest {
    let transport: StringTransport
    let reactorProtocol: Protocol

    /// What the reactor does when the connection goes: `connectionLost` to its protocol.
    func lose(_ error: any Error = ConnectionLost()) {
        reactorProtocol.deliverConnectionLost(reason: Failure(error))
    }
}

/// A ClientService on a real ``TCP4ClientEndpoint`` over a ``MemoryReactor``: every attempt is
/// a recorded `connectTCP` the test completes by hand, and the reactor's ``TestClock`` drives the
/// retries. The retry policy is `retryDelays` (index n-1 for n failures; the last one repeats) and
/// records the counts it is asked for.
final class ClientServiceHarness {
    let reactor = MemoryReactor()
    let factory = ClientServiceAppFactory()
    let capture = LogCapture()
    var policyCalls: [Int] = []
    var retryDelays: [Double] = [2, 5, 9]
    private(set) var service: ClientService!

    init(prepareConnection: ((Protocol) throws -> Deferred<Void>?)? = nil) {
        let endpoint = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 7000)
        service = ClientService(
            endpoint: endpoint, factory: factory,
            retryPolicy: { [unowned self] failures in
                policyCalls.append(failures)
                return retryDelays[min(failures, retryDelays.count) - 1]
            },
            clock: reactor.clock, prepareConnection: prepareConnection, logger: capture.logger()
        )
    }

    var clock: TestClock { reactor.clock }

    /// How many attempts the service has made.
    var attempts: Int { reactor.connectCalls.count }

    /// Completes the latest attempt as the reactor would: builds with the recorded factory and
    /// connects a transport (nil when the factory built nothing, which the endpoint reports).
    @discardableResult
    func acceptLatest(sourceLocation: SourceLocation = #_sourceLocation) throws -> ClientServiceConnectionUnderTest? {
        let call = try #require(reactor.connectCalls.last, sourceLocation: sourceLocation)
        guard let built = call.factory.buildProtocol(address: .ipv4("127.0.0.1", 7000)) else { return nil }
        let transport = StringTransport()
        transport.connect(built)
        return ClientServiceConnectionUnderTest(transport: transport, reactorProtocol: built)
    }

    /// Fails the latest attempt as the reactor would, with `error`.
    func failLatest(_ error: any Error = ConnectionRefusedError(), sourceLocation: SourceLocation = #_sourceLocation) throws {
        let call = try #require(reactor.connectCalls.last, sourceLocation: sourceLocation)
        call.factory.clientConnectionFailed(call.connector, reason: Failure(error))
    }

    /// The Deferreds `whenConnected` gave out, handled when the test ends so that the failures a
    /// test has checked are not reported as unhandled.
    private var handedOut: [Deferred<Protocol>] = []

    /// `service.whenConnected(failAfterFailures:)`, remembered for ``deinit``.
    func whenConnected(failAfterFailures: Int? = nil) -> Deferred<Protocol> {
        let connected: Deferred<Protocol> = service.whenConnected(failAfterFailures: failAfterFailures)
        handedOut.append(connected)
        return connected
    }

    deinit {
        for connected in handedOut { connected.swallow() }
    }

    /// The messages logged so far.
    var messages: [String] { capture.records.map(\.message) }
}
