import Testing
import TwistCore
import TwistTesting

/// An application protocol that records its connection and the TLS handshake, in order.
private final class HandshakeRecorder: Protocol, HandshakeListener {
    var events: [String] = []
    var throwsOnHandshake = false

    override func connectionMade() { events.append("connectionMade") }
    func handshakeCompleted() throws {
        events.append("handshakeCompleted")
        if throwsOnHandshake { throw ConnectionDone("refused by the test") }
    }
    override func connectionLost(reason: Failure) { events.append("connectionLost") }
}

/// `handshakeCompleted` from a TLS layer below reaches the application through wrappers (item 52):
/// here the TLS layer is stood in for by calling the outermost wrapper's `handshakeCompleted`, as
/// `TLSProtocolWrapper` does with its wrapped protocol.
@Suite("Handshake pass-through wrappers")
struct HandshakePassThroughTests {
    let capture = LogCapture()

    @Test func aPlainWrapperPassesItOn() throws {
        let app = HandshakeRecorder()
        let wrapper = ProtocolWrapper(wrapping: app)
        StringTransport().connect(wrapper)
        try wrapper.handshakeCompleted()
        #expect(app.events == ["connectionMade", "handshakeCompleted"])
    }

    @Test func aWrapperAroundAProtocolThatIsNoListenerDoesNothing() throws {
        let wrapper = ProtocolWrapper(wrapping: Protocol())
        StringTransport().connect(wrapper)
        try wrapper.handshakeCompleted()
    }

    @Test func policyWrappersPassItOnThroughEachOther() throws {
        let app = HandshakeRecorder()
        let clock = TestClock()
        let timeout = TimeoutFactory(wrapping: Factory { app }, idleTimeout: 30, clock: clock)
        let logging = TrafficLoggingFactory(wrapping: timeout) { _, _ in }
        let outer = try #require(logging.buildProtocol(address: .ipv4("127.0.0.1", 1)) as? any HandshakeListener & Protocol)
        StringTransport().connect(outer)
        try outer.handshakeCompleted()
        #expect(app.events == ["connectionMade", "handshakeCompleted"])
    }

    @Test func whatTheApplicationThrowsIsThrownOn() throws {
        let app = HandshakeRecorder()
        app.throwsOnHandshake = true
        let wrapper = ProtocolWrapper(wrapping: app)
        StringTransport().connect(wrapper)
        #expect(throws: ConnectionDone.self) { try wrapper.handshakeCompleted() }
    }

    @Test func haproxyAfterTheHeaderPassesItOnAtOnce() throws {
        let app = HandshakeRecorder()
        let wrapper = HAProxyProtocolWrapper(wrapping: app)
        StringTransport().connect(wrapper)
        try wrapper.dataReceived(Array("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n".utf8)[...])
        try wrapper.handshakeCompleted()
        #expect(app.events == ["connectionMade", "handshakeCompleted"])
    }

    @Test func haproxyBeforeTheHeaderTellsItRightAfterConnectionMade() throws {
        let app = HandshakeRecorder()
        let wrapper = HAProxyProtocolWrapper(wrapping: app)
        StringTransport().connect(wrapper)
        try wrapper.handshakeCompleted()
        #expect(app.events.isEmpty, "not connected yet")
        try wrapper.dataReceived(Array("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n".utf8)[...])
        #expect(app.events == ["connectionMade", "handshakeCompleted"])
        try wrapper.handshakeCompleted()  // a second report is passed on as it comes; TLS sends one
        #expect(app.events.count == 3)
    }

    @Test func haproxyAfterARejectedHeaderTellsNobody() throws {
        let app = HandshakeRecorder()
        let application = Factory()
        application.logger = capture.logger()
        let factory = HAProxyWrappingFactory(wrapping: application)
        let wrapper = try #require(factory.makeWrapper(around: app) as? HAProxyProtocolWrapper)
        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("GET /\r\n".utf8)[...])
        try wrapper.handshakeCompleted()
        #expect(app.events.isEmpty)
    }

    @Test func haproxyAbortsWhenTheDeferredHandshakeCallThrows() throws {
        let app = HandshakeRecorder()
        app.throwsOnHandshake = true
        let application = Factory()
        application.logger = capture.logger()
        let factory = HAProxyWrappingFactory(wrapping: application)
        let wrapper = try #require(factory.makeWrapper(around: app) as? HAProxyProtocolWrapper)
        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(wrapper)
        try wrapper.handshakeCompleted()
        try wrapper.dataReceived(Array("PROXY UNKNOWN\r\n".utf8)[...])
        #expect(transport.isDisconnecting)
        #expect(app.events == ["connectionMade", "handshakeCompleted", "connectionLost"])
        let errors = capture.records.filter { $0.level == .error }.map(\.message)
        #expect(errors.count == 1 && errors[0].contains("handshakeCompleted threw"), "\(errors)")
    }
}
