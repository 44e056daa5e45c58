import Foundation
import Testing
import Twist
import TwistTestSupport

/// TLS wire compatibility with Python Twisted (with pyOpenSSL: `python3 -m pip install
/// "twisted[tls]"`), over loopback: a Twisted `tls:` client against a Twist server, a Twist client
/// against a Twisted `listenSSL` server, and STARTTLS against a Twisted server that switches
/// mid-stream. Without Twisted's TLS support these tests are skipped, not passed.
@Suite(
    .serialized, .timeLimit(.minutes(1)),
    .enabled(if: TwistedTLSPeer.isAvailable, "Python Twisted with TLS is not installed (python3 -m pip install \"twisted[tls]\")")
)
struct TwistedTLSInteropTests {
    @Test func aTwistedTLSClientTalksToATwistServer() async throws {
        let certificates = try TestCertificates.shared()
        let serverContext = try TLSTestContexts.server()
        let reactor = Reactor()
        let port = Shared(0)
        let serverReason = Shared<String?>(nil)
        reactor.callWhenRunning {
            let factory = Factory { TLSRecorder(echo: true) }
            port.value = try reactor.listenSSL(0, LostReasonFactory(wrapping: factory) { serverReason.value = $0 }, serverContext, interface: "127.0.0.1").address.port!
        }
        let running = startReactorThread(reactor, timeout: 40)
        try await waitUntil { port.value != 0 }
        let result = try await TwistedTLSPeer.run(["client", "\(port.value)", certificates.trustDirectory])
        try? await waitUntil(timeout: 5) { serverReason.value != nil }
        stopFromOutside(reactor)
        _ = await running.value
        #expect(result.output.contains("ECHO hello from twisted TLSv1.3"), "\(result.output)")
        #expect(result.output.contains("LOST ConnectionDone"), "\(result.output)")
        #expect(serverReason.value == "ConnectionDone")
    }

    @Test func aTwistClientTalksToATwistedTLSServer() async throws {
        let certificates = try TestCertificates.shared()
        let server = try TwistedTLSPeer.start(["echo-server", certificates.serverCertificate, certificates.serverKey])
        defer { server.terminateIfRunning() }
        let port = try await server.readPort()
        let clientContext = try TLSTestContexts.client()
        let verdict = Shared<String?>(nil)
        let stopped = await runReactor(timeout: 30) { reactor in
            let client = TLSEchoChecker(payload: pattern(100_000)) { outcome in
                verdict.value = outcome
                try? reactor.stop()
            }
            reactor.connectSSL("127.0.0.1", port, ClientCreatorFactory(onFailure: client.finish) { client }, clientContext, serverName: "localhost")
        }
        let serverSaid = await server.readLine()
        #expect(stopped)
        #expect(verdict.value == "echoed 100000 bytes over TLSv1.3, then ConnectionDone")
        #expect(serverSaid == "LOST ConnectionDone")
    }

    @Test func startTLSAgainstATwistedServerThatSwitchesMidStream() async throws {
        let certificates = try TestCertificates.shared()
        let server = try TwistedTLSPeer.start(["starttls-server", certificates.serverCertificate, certificates.serverKey])
        defer { server.terminateIfRunning() }
        let port = try await server.readPort()
        let clientContext = try TLSTestContexts.client()
        let outcome = Shared<[String]>([])
        let stopped = await runReactor(timeout: 30) { reactor in
            let client = STARTTLSClient(context: clientContext, expectedClearText: 0) { lines in
                outcome.value = lines
                try? reactor.stop()
            }
            reactor.connectTCP("127.0.0.1", port, ClientCreatorFactory(onFailure: { client.report(["failed: \($0)"]) }) { client })
        }
        #expect(stopped)
        #expect(outcome.value == [
            "clear: GO",
            "tls transport: true, made once: true",
            "secure: ECHO secret over TLSv1.3",
            "lost: ConnectionDone",
        ])
    }
}

/// Tells `onLost` the type of the reason each connection it built was lost with.
final class LostReasonFactory: WrappingFactory {
    let onLost: (String) -> Void

    init(wrapping factory: Factory, onLost: @escaping (String) -> Void) {
        self.onLost = onLost
        super.init(wrapping: factory)
    }

    override func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
        ReasonReporter(wrapping: wrapped, factory: self)
    }

    private final class ReasonReporter: ProtocolWrapper {
        override func connectionLost(reason: Failure) {
            (factory as? LostReasonFactory)?.onLost("\(type(of: reason.error))")
            super.connectionLost(reason: reason)
        }
    }
}

/// `twisted_tls_peer.py` (next to this file), run under `python3`.
enum TwistedTLSPeer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("twisted_tls_peer.py").path

    /// True when Twisted and pyOpenSSL import (checked once).
    static let isAvailable = PeerProcess.pythonSucceeds("import twisted.internet.ssl, OpenSSL, service_identity")

    static func start(_ arguments: [String]) throws -> PeerProcess {
        try PeerProcess.start("python3", [script] + arguments)
    }

    /// Runs the script to its end (it bounds itself to 30 s; killed after 40 s).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await PeerProcess.runPython(script, arguments)
    }
}
