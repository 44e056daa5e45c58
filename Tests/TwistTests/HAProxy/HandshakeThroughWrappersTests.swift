import Testing
import Twist
import TwistTesting

/// A real TLS layer (OpenSSL, in memory) below wrappers: the application still hears
/// `handshakeCompleted` (item 52).
@Suite("TLS handshake through wrappers")
struct HandshakeThroughWrappersTests {
    @Test func tlsBelowHAProxyAndAPlainWrapperTellsTheApplicationAfterTheHeader() throws {
        let clock = TestClock()
        let server = TLSRecorder()
        // The client's first bytes inside TLS are the PROXY header, then "hi".
        let client = TLSRecorder(greeting: "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nhi")
        let serverStack = HAProxyProtocolWrapper(wrapping: ProtocolWrapper(wrapping: server))
        let serverTLS = try TLSProtocolWrapper(wrapping: serverStack, context: try TLSTestContexts.server(), clock: clock)
        let clientTLS = try TLSProtocolWrapper(
            wrapping: client, context: try TLSTestContexts.client(), serverName: "localhost", clock: clock
        )
        let pair = ConnectedPair(server: serverTLS, client: clientTLS, clock: clock)
        for _ in 0..<1000 { guard try pair.pump() else { break } }
        #expect(client.events.prefix(2) == ["connectionMade", "handshakeCompleted"])
        #expect(server.events == ["connectionMade", "handshakeCompleted", "data"])
        #expect(server.text == "hi")
        #expect(serverStack.peer == .ipv4("192.0.2.1", 56324))
    }

    @Test func tlsInsideTLSTellsEachProtocolOnlyItsOwnHandshake() throws {
        // The inner TLS layer's wrapped protocol must not hear the outer handshake: the outer
        // layer completes first, and the inner one must then still be handshaking.
        let clock = TestClock()
        let server = TLSRecorder()
        let client = TLSRecorder()
        let innerServer = try TLSProtocolWrapper(wrapping: server, context: try TLSTestContexts.server(), clock: clock)
        let outerServer = try TLSProtocolWrapper(wrapping: innerServer, context: try TLSTestContexts.server(), clock: clock)
        let innerClient = try TLSProtocolWrapper(
            wrapping: client, context: try TLSTestContexts.client(), serverName: "localhost", clock: clock
        )
        let outerClient = try TLSProtocolWrapper(
            wrapping: innerClient, context: try TLSTestContexts.client(), serverName: "localhost", clock: clock
        )
        let pair = ConnectedPair(server: outerServer, client: outerClient, clock: clock)
        for _ in 0..<1000 { guard try pair.pump() else { break } }
        #expect(outerServer.isHandshakeComplete && innerServer.isHandshakeComplete)
        #expect(server.events == ["connectionMade", "handshakeCompleted"])
        #expect(client.events == ["connectionMade", "handshakeCompleted"])
    }
}
