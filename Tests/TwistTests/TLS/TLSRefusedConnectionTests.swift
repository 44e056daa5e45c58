import Testing
import TwistTestSupport
import TwistTesting

@testable import Twist

/// What a TLS port does when OpenSSL cannot create one connection (``TLSWrappingFactory``'s
/// refusing path), made to happen through the factory's internal wrapper maker.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TLSRefusedConnectionTests {
    @Test func onlyTheConnectionOpenSSLCannotCreateIsRefusedAndThePortKeepsServing() async throws {
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let capture = LogCapture()
        let verdicts = Shared<[String]>([])
        let serverConnections = Shared(0)
        let stopped = await runReactor { reactor in
            let factory = TLSWrappingFactory(
                wrapping: Factory { CountingEcho(connected: serverConnections) },
                context: serverContext, clock: reactor
            )
            factory.logger = capture.logger()
            var made = 0
            let real = factory.makeTLSWrapper
            factory.makeTLSWrapper = { wrapped, factory in
                made += 1
                if made == 2 { throw TLSError(reasons: ["malloc failure"], detail: "malloc failure (injected)") }
                return try real(wrapped, factory)
            }
            let number = try reactor.listenTCP(0, factory, interface: "127.0.0.1").address.port!
            func connect(_ label: String, then: @escaping () -> Void) {
                let client = TLSEchoChecker(payload: Array(label.utf8)) { outcome in
                    verdicts.mutate { $0.append("\(label): \(outcome)") }
                    then()
                }
                reactor.connectSSL("127.0.0.1", number, ClientCreatorFactory(onFailure: client.finish) { client }, clientContext, serverName: "localhost")
            }
            connect("first") { connect("refused") { connect("third") { try? reactor.stop() } } }
        }
        #expect(stopped)
        let refused = verdicts.value.count == 3 ? verdicts.value[1] : ""
        #expect(verdicts.value.count == 3)
        #expect(verdicts.value.first == "first: echoed 5 bytes over TLSv1.3, then ConnectionDone")
        #expect(refused.hasPrefix("refused: got 0 of 7 bytes"), "\(verdicts.value)")
        #expect(!refused.contains("ConnectionDone"), "a refused connection is not a clean close: \(refused)")
        #expect(verdicts.value.last == "third: echoed 5 bytes over TLSv1.3, then ConnectionDone")
        // The refused connection's protocol was never connected; the error names the cause.
        #expect(serverConnections.value == 2)
        let errors = capture.records.filter { $0.level == .error }
        #expect(errors.count == 1, "\(capture.records)")
        #expect(errors.first?.message.contains("cannot create a TLS connection") == true, "\(errors)")
        #expect(errors.first?.message.contains("malloc failure") == true, "\(errors)")
    }
}

/// Echoes, and counts the connections it was connected to.
private final class CountingEcho: Protocol {
    let connected: Shared<Int>
    init(connected: Shared<Int>) { self.connected = connected }
    override func connectionMade() { connected.mutate { $0 += 1 } }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { transport?.write(data) }
}
