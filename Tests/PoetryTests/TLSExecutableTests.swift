import Foundation
import Poetry
import Testing
import Twist
import TwistTestSupport

/// The executables over TLS, with no TLS code of their own: the servers take `--listen ssl:…`,
/// the poetry clients take `tls:HOST:PORT:trustRoots=DIR` addresses.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TLSExecutableTests {
    @Test func thePoetryDemoOverTLS() async throws {
        let certificates = try TestCertificates.shared()
        let ssl = "ssl:0:interface=127.0.0.1:privateKey=\(certificates.serverKey):certKey=\(certificates.serverCertificate)"
        let fast = try await ServerProcess("fastpoetry", ["--listen", ssl, ExecutableTests.path("hope")])
        defer { fast.stop() }
        let xform = try await ServerProcess("transformedpoetry", ["--listen", ssl])
        defer { xform.stop() }
        let tls = { (port: Int) in "tls:127.0.0.1:\(port):trustRoots=\(certificates.trustDirectory)" }
        let proxy = try await ServerProcess("poetry-proxy", ["--listen", ssl, tls(fast.port)])
        defer { proxy.stop() }

        let hope = PoemTransforms.cummingsify(try BundledPoems.poem(named: "hope").text) + "\n"
        let result = try await runTool("get-poetry", ["--xform-server", tls(xform.port), tls(proxy.port), tls(fast.port)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == hope + hope)

        // A client that does not trust the server's CA fails that download, with the reason.
        let untrusting = try await runTool("get-poetry", ["tls:127.0.0.1:\(fast.port)"])
        #expect(untrusting.status == 1)
        #expect(untrusting.stderr.contains("certificate verify failed"), "\(untrusting.stderr)")
        // A bad trust directory is a usage error.
        let bad = try await runTool("get-poetry", ["tls:127.0.0.1:\(fast.port):trustRoots=/nonexistent"])
        #expect(bad.status == 2, "\(bad.stderr)")
    }

    @Test func netstringEchoServesSSLDescriptions() async throws {
        let certificates = try TestCertificates.shared()
        let server = try await ServerProcess("netstring-echo", ["--listen", "ssl:0:interface=127.0.0.1:privateKey=\(certificates.serverCombined)"])
        defer { server.stop() }
        #expect(server.printed == "Serving netstring echo on 127.0.0.1:\(server.port).\n")
        let context = try TLSContext(TLSClientOptions(trustRoots: .certificates(try TLSCertificate.chain(pemFile: certificates.caCertificate))))
        let echoed = Shared<String?>(nil)
        let port = server.port
        let stopped = await runReactor { reactor in
            let client = NetstringProbe(send: ["hello", "", "over TLS"]) { replies in
                echoed.value = replies
                try? reactor.stop()
            }
            reactor.connectSSL("127.0.0.1", port, OneClientFactory(client), context, serverName: "localhost")
        }
        #expect(stopped)
        #expect(echoed.value == "hello||over TLS")
    }
}

/// Sends netstrings and reports the replies joined by "|" once as many came back.
private final class NetstringProbe: NetstringReceiver {
    let messages: [String]
    var replies: [String] = []
    let report: (String) -> Void

    init(send messages: [String], report: @escaping (String) -> Void) {
        self.messages = messages
        self.report = report
        super.init()
    }

    override func connectionMade() {
        for message in messages { sendString(Array(message.utf8)[...]) }
    }

    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        replies.append(String(decoding: string, as: UTF8.self))
        if replies.count == messages.count {
            report(replies.joined(separator: "|"))
            transport?.loseConnection()
        }
    }
}

/// Builds one given protocol; a failed connection reports nothing (the watchdog ends the test).
private final class OneClientFactory: ClientFactory {
    let client: Protocol
    init(_ client: Protocol) {
        self.client = client
        super.init()
    }
    override func buildProtocol(address: Address) -> Protocol? { client }
}
