import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// A protocol that records what happens to it, for the TLS tests: the events in order, the bytes
/// received, the reason it was lost. Optionally writes a greeting in `connectionMade` and echoes.
class TLSRecorder: Protocol, HandshakeListener {
    var events: [String] = []
    var received: [UInt8] = []
    var reason: Failure?
    var certificateAtConnectionMade: TLSCertificateSummary?
    var certificateAtHandshake: TLSCertificateSummary?
    let greeting: [UInt8]
    let echo: Bool
    var onHandshake: ((TLSRecorder) throws -> Void)?

    init(greeting: String = "", echo: Bool = false) {
        self.greeting = Array(greeting.utf8)
        self.echo = echo
    }

    var tls: TLSProtocolWrapper { transport as! TLSProtocolWrapper }
    var text: String { String(decoding: received, as: UTF8.self) }

    override func connectionMade() {
        events.append("connectionMade")
        certificateAtConnectionMade = (transport as? any TLSTransport)?.peerCertificate
        if !greeting.isEmpty { transport?.write(greeting) }
    }

    func handshakeCompleted() throws {
        events.append("handshakeCompleted")
        certificateAtHandshake = (transport as? any TLSTransport)?.peerCertificate
        try onHandshake?(self)
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if !events.last!.hasPrefix("data") { events.append("data") }
        received += data
        if echo { transport?.write(data) }
    }

    override func connectionLost(reason: Failure) {
        events.append("connectionLost")
        self.reason = reason
    }
}

/// Contexts built from the test certificates.
enum TLSTestContexts {
    static func serverOptions(_ certificates: TestCertificates) throws -> TLSServerOptions {
        TLSServerOptions(identity: try TLSIdentity(certificateFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey))
    }

    static func server(_ configure: (inout TLSServerOptions) throws -> Void = { _ in }) throws -> TLSContext {
        var options = try serverOptions(try TestCertificates.shared())
        try configure(&options)
        return try TLSContext(options)
    }

    static func trustingTestCA() throws -> TLSClientOptions {
        TLSClientOptions(trustRoots: .certificates(try TLSCertificate.chain(pemFile: try TestCertificates.shared().caCertificate)))
    }

    static func client(_ configure: (inout TLSClientOptions) throws -> Void = { _ in }) throws -> TLSContext {
        var options = try trustingTestCA()
        try configure(&options)
        return try TLSContext(options)
    }
}

/// A TLS client and server connected in memory through a ``ConnectedPair`` driven by a
/// ``TestClock``.
struct TLSMemoryPair {
    let clock = TestClock()
    let server: TLSRecorder
    let client: TLSRecorder
    let serverWrapper: TLSProtocolWrapper
    let clientWrapper: TLSProtocolWrapper
    let pair: ConnectedPair

    init(
        server: TLSRecorder = TLSRecorder(), client: TLSRecorder = TLSRecorder(),
        serverContext: TLSContext? = nil, clientContext: TLSContext? = nil, serverName: String = "localhost"
    ) throws {
        self.server = server
        self.client = client
        serverWrapper = try TLSProtocolWrapper(wrapping: server, context: try serverContext ?? TLSTestContexts.server(), clock: clock)
        clientWrapper = try TLSProtocolWrapper(
            wrapping: client, context: try clientContext ?? TLSTestContexts.client(), serverName: serverName, clock: clock
        )
        pair = ConnectedPair(server: serverWrapper, client: clientWrapper, clock: clock)
    }

    /// Pumps until nothing moves (a protocol's error is swallowed: it is in its reason).
    func flush() {
        for _ in 0..<10_000 {
            guard (try? pair.pump()) ?? true else { return }
        }
        Issue.record("the TLS pair never went quiet")
    }
}
