import Testing
import TwistCore
import TwistTesting

/// The PROXY header timeout: a connection that does not finish its header in time is aborted, on
/// the clock given (here a `TestClock`, or the `MemoryReactor`'s through `haproxy:`).
@Suite("HAProxy header timeout")
struct HAProxyHeaderTimeoutTests {
    let capture = LogCapture()
    let clock = TestClock()
    let recorder = ProxiedRecorder()
    let factory: HAProxyWrappingFactory
    let wrapper: HAProxyProtocolWrapper
    let transport = StringTransport(host: .ipv4("10.0.0.1", 8080), peer: .ipv4("10.0.0.9", 40000), disconnectsProtocol: true)

    init() throws {
        let application = Factory()
        application.logger = capture.logger()
        factory = HAProxyWrappingFactory(wrapping: application, headerTimeout: PROXYHeaderTimeout(seconds: 10, clock: clock))
        wrapper = try #require(factory.makeWrapper(around: recorder) as? HAProxyProtocolWrapper)
    }

    var warnings: [String] { capture.records.filter { $0.level == .warning }.map(\.message) }

    @Test func aHeaderNotCompleteInTimeAbortsTheConnectionWithOneWarning() throws {
        transport.connect(wrapper)
        #expect(clock.pendingCalls.count == 1, "the timer starts with the connection")
        try wrapper.dataReceived(Array("PROXY TCP4".utf8)[...])
        try clock.advance(9.9)
        #expect(!transport.isDisconnecting)
        try clock.advance(0.1)
        #expect(transport.isDisconnecting)
        #expect(recorder.connectionsMade == 0 && recorder.reasons.isEmpty && recorder.chunks.isEmpty)
        #expect(warnings == [
            "ProxiedRecorder (HAProxyProtocolWrapper) from 10.0.0.9:40000: no complete PROXY header within 10 s (10 bytes received); closing the connection",
        ])
        #expect(clock.pendingCalls.isEmpty)
        try wrapper.dataReceived(Array(" 192.0.2.1 198.51.100.2 1 2\r\n".utf8)[...])
        #expect(recorder.connectionsMade == 0, "nothing is read after the rejection")
        #expect(factory.protocolCount == 0)
    }

    @Test func aSilentConnectionIsAbortedToo() throws {
        transport.connect(wrapper)
        try clock.advance(10)
        #expect(transport.isDisconnecting)
        #expect(warnings.count == 1 && warnings[0].contains("within 10 s (0 bytes received)"))
    }

    @Test func aCompleteHeaderCancelsTheTimer() throws {
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n".utf8)[...])
        #expect(recorder.connectionsMade == 1)
        #expect(clock.pendingCalls.isEmpty)
        try clock.advance(60)
        #expect(!transport.isDisconnecting)
        #expect(warnings.isEmpty)
    }

    @Test func aConnectionLostBeforeTheHeaderCancelsTheTimer() throws {
        transport.connect(wrapper)
        transport.loseConnection()
        #expect(clock.pendingCalls.isEmpty)
        #expect(warnings.count == 1 && warnings[0].contains("connection closed before a complete PROXY header"))
        try clock.advance(60)
        #expect(warnings.count == 1)
    }

    @Test func aMalformedHeaderCancelsTheTimer() throws {
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("GET / HTTP/1.1\r\n".utf8)[...])
        #expect(transport.isDisconnecting)
        #expect(clock.pendingCalls.isEmpty)
        try clock.advance(60)
        #expect(warnings.count == 1)
    }

    @Test func withoutATimeoutNothingIsScheduled() throws {
        let plain = try #require(HAProxyWrappingFactory(wrapping: Factory()).makeWrapper(around: ProxiedRecorder()) as? HAProxyProtocolWrapper)
        StringTransport().connect(plain)
        #expect(clock.pendingCalls.isEmpty)
    }
}

@Suite("haproxy: headerTimeout key")
struct HAProxyHeaderTimeoutDescriptionTests {
    let reactor = MemoryReactor()

    @Test func theDefaultIsTenSecondsOnTheReactorsClock() throws {
        let endpoint = try #require(try serverFromString(reactor, "haproxy:tcp:8080") as? HAProxyServerEndpoint)
        #expect(endpoint.headerTimeout?.seconds == 10)
        #expect(endpoint.headerTimeout?.clock === reactor)
        #expect(endpoint.description == "haproxy:tcp:8080")
    }

    @Test func theKeyIsTheHAProxyPrefixsOwnAndRoundTrips() throws {
        let endpoint = try #require(try serverFromString(reactor, "haproxy:tcp:8080:headerTimeout=2.5:interface=127.0.0.1") as? HAProxyServerEndpoint)
        #expect(endpoint.headerTimeout?.seconds == 2.5)
        #expect((endpoint.wrappedEndpoint as? TCP4ServerEndpoint)?.interface == "127.0.0.1")
        #expect(endpoint.description == "haproxy:tcp:8080:interface=127.0.0.1:headerTimeout=2.5")
        let again = try #require(try serverFromString(reactor, endpoint.description) as? HAProxyServerEndpoint)
        #expect(again.headerTimeout?.seconds == 2.5)
    }

    @Test func zeroMeansNoLimit() throws {
        let endpoint = try #require(try serverFromString(reactor, "haproxy:unix:/tmp/s:headerTimeout=0") as? HAProxyServerEndpoint)
        #expect(endpoint.headerTimeout == nil)
        #expect(endpoint.description == "haproxy:unix:/tmp/s:lockfile=1:headerTimeout=0")
        #expect((try serverFromString(reactor, endpoint.description) as? HAProxyServerEndpoint)?.headerTimeout == nil)
    }

    @Test func aBadValueIsNamed() {
        #expect(throws: EndpointDescriptionError.invalidValue(type: "haproxy", name: "headerTimeout", value: "soon", expected: "a number of seconds")) {
            try serverFromString(reactor, "haproxy:tcp:80:headerTimeout=soon")
        }
        #expect(throws: EndpointDescriptionError.invalidValue(type: "haproxy", name: "headerTimeout", value: "-1", expected: "a number of seconds")) {
            try serverFromString(reactor, "haproxy:tcp:80:headerTimeout=-1")
        }
    }

    @Test func connectionsOfAListeningEndpointAreTimedOnTheReactorsClock() throws {
        let endpoint = try serverFromString(reactor, "haproxy:tcp:8080:headerTimeout=3")
        _ = endpoint.listen(Factory { ProxiedRecorder() })
        let wrapping = try #require(reactor.listenCalls.last?.factory as? HAProxyWrappingFactory)
        let wrapper = try #require(wrapping.buildProtocol(address: .ipv4("127.0.0.1", 5)))
        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(wrapper)
        try reactor.clock.advance(2.9)
        #expect(!transport.isDisconnecting)
        try reactor.clock.advance(0.1)
        #expect(transport.isDisconnecting)
    }
}
