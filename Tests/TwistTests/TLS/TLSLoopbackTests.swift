import Foundation
import Testing
import Twist
import TwistTestSupport

/// TLS over real sockets on 127.0.0.1: `listenSSL`/`connectSSL`, the `ssl:`/`tls:` description
/// strings, a bad client next to good ones, and interop with the `openssl` command in both roles.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TLSLoopbackTests {
    @Test func listenSSLAndConnectSSLEchoALargePayload() async throws {
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let verdict = Shared<String?>(nil)
        let stopped = await runReactor { reactor in
            let port = try reactor.listenSSL(0, Factory { TLSRecorder(echo: true) }, serverContext, interface: "127.0.0.1")
            let client = TLSEchoChecker(payload: pattern(300_000)) { outcome in
                verdict.value = outcome
                try? reactor.stop()
            }
            reactor.connectSSL("127.0.0.1", port.address.port!, ClientCreatorFactory(onFailure: client.finish) { client }, clientContext, serverName: "localhost")
        }
        #expect(stopped)
        #expect(verdict.value == "echoed 300000 bytes over TLSv1.3, then ConnectionDone")
    }

    @Test func theDescriptionStringsServeAndConnect() async throws {
        let certificates = try TestCertificates.shared()
        let verdict = Shared<String?>(nil)
        let stopped = await runReactor { reactor in
            let server = try serverFromString(reactor, "ssl:0:interface=127.0.0.1:privateKey=\(certificates.serverCombined)")
            #expect(server.description.hasPrefix("ssl:0"))
            _ = server.listen(Factory { TLSRecorder(echo: true) }).addCallback { port in
                let endpoint = try clientFromString(reactor, "tls:127.0.0.1:\(port.address.port!):trustRoots=\(certificates.trustDirectory):timeout=5")
                let client = TLSEchoChecker(payload: Array("over strings".utf8)) { outcome in
                    verdict.value = outcome
                    try? reactor.stop()
                }
                connectProtocol(endpoint, client).addErrback { failure -> TLSEchoChecker in
                    client.finish(failure)
                    return client
                }
            }
        }
        #expect(stopped)
        #expect(verdict.value == "echoed 12 bytes over TLSv1.3, then ConnectionDone")
    }

    @Test func badDescriptionsAreClearErrors() throws {
        let certificates = try TestCertificates.shared()
        let reactor = Reactor()
        #expect(throws: EndpointDescriptionError.self) { try serverFromString(reactor, "ssl:0:privateKey=/nonexistent/key.pem") }
        #expect(throws: EndpointDescriptionError.self) {
            try serverFromString(reactor, "ssl:0:privateKey=\(certificates.serverKey):certKey=\(certificates.clientCertificate)")
        }
        #expect(throws: EndpointDescriptionError.self) { try clientFromString(reactor, "tls:localhost:443:trustRoots=/nonexistent") }
        #expect(throws: EndpointDescriptionError.self) { try clientFromString(reactor, "tls:localhost:443:certificate=\(certificates.clientCertificate)") }
        #expect(throws: EndpointDescriptionError.self) { try clientFromString(reactor, "tls:localhost:443:sslmethod=TLSv1") }
        do {
            _ = try serverFromString(reactor, "ssl:0:privateKey=/nonexistent/key.pem")
        } catch {
            #expect("\(error)".contains("/nonexistent/key.pem"), "\(error)")
        }
    }

    @Test func aClientSpeakingPlainTextIsClosedAndTheOthersAreServed() async throws {
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let verdicts = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenSSL(0, Factory { TLSRecorder(echo: true) }, serverContext, interface: "127.0.0.1")
            let number = port.address.port!
            func good(_ label: String, then: @escaping () -> Void) {
                let client = TLSEchoChecker(payload: Array(label.utf8)) { outcome in
                    verdicts.mutate { $0.append("\(label): \(outcome)") }
                    then()
                }
                reactor.connectSSL("127.0.0.1", number, ClientCreatorFactory(onFailure: client.finish) { client }, clientContext, serverName: "localhost")
            }
            good("before") {
                let plain = PlainTextProbe { outcome in
                    verdicts.mutate { $0.append("plain: \(outcome)") }
                    good("after") { try? reactor.stop() }
                }
                reactor.connectTCP("127.0.0.1", number, ClientCreatorFactory(onFailure: { _ in }) { plain })
            }
        }
        #expect(stopped)
        #expect(verdicts.value == [
            "before: echoed 6 bytes over TLSv1.3, then ConnectionDone",
            // OpenSSL recognises an HTTP request and fails without an alert.
            "plain: closed by the server after 0 bytes, ConnectionDone",
            "after: echoed 5 bytes over TLSv1.3, then ConnectionDone",
        ])
    }

    @Test func opensslSClientTalksToATwistServer() async throws {
        let certificates = try TestCertificates.shared()
        let serverContext = try TLSTestContexts.server { $0.acceptableProtocols = ["h2", "http/1.1"] }
        let reactor = Reactor()
        let port = Shared(0)
        reactor.callWhenRunning {
            port.value = try reactor.listenSSL(0, Factory { LineEchoThenClose() }, serverContext, interface: "127.0.0.1").address.port!
        }
        let running = startReactorThread(reactor, timeout: 30)
        try await waitUntil { port.value != 0 }
        let client = try PeerProcess.start("openssl", [
            "s_client", "-connect", "127.0.0.1:\(port.value)", "-servername", "localhost", "-verify_hostname", "localhost",
            "-CAfile", certificates.caCertificate, "-verify_return_error", "-alpn", "h2", "-msg",
        ], withInput: true)
        defer { client.terminateIfRunning() }
        let output = client.collectOutput()
        client.input?.fileHandleForWriting.write(Data("hello twist\n".utf8))
        let status = await client.waitForExit(timeout: 20)
        client.input?.fileHandleForWriting.closeFile()
        stopFromOutside(reactor)
        _ = await running.value
        let text = await output.value
        #expect(status == 0, "\(text)")
        #expect(text.contains("TLSv1.3"), "\(text)")
        #expect(text.contains("ALPN protocol: h2"), "\(text)")
        #expect(text.contains("Verify return code: 0 (ok)"), "\(text)")
        #expect(text.contains("hello twist"), "\(text)")
        #expect(text.contains("<<< TLS 1.3, Alert [length 0002], warning close_notify"), "the server's close_notify: \(text)")
    }

    @Test func aRenegotiationAttemptIsRefusedAndTheServerKeepsServing() async throws {
        let certificates = try TestCertificates.shared()
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let reactor = Reactor()
        let port = Shared(0)
        reactor.callWhenRunning {
            port.value = try reactor.listenSSL(0, Factory { TLSRecorder(echo: true) }, serverContext, interface: "127.0.0.1").address.port!
        }
        let running = startReactorThread(reactor, timeout: 30)
        try await waitUntil { port.value != 0 }
        // TLS 1.2 (1.3 has no renegotiation); "R" on its own line makes s_client renegotiate.
        let client = try PeerProcess.start("openssl", [
            "s_client", "-connect", "127.0.0.1:\(port.value)", "-tls1_2", "-CAfile", certificates.caCertificate,
        ], withInput: true)
        defer { client.terminateIfRunning() }
        let output = client.collectOutput()
        try await Task.sleep(for: .milliseconds(300))
        client.input?.fileHandleForWriting.write(Data("R\n".utf8))
        let status = await client.waitForExit(timeout: 10)
        client.input?.fileHandleForWriting.closeFile()
        let text = await output.value
        #expect(status != nil, "s_client ended")
        #expect(text.contains("RENEGOTIATING"), "\(text)")
        #expect(text.contains("no renegotiation"), "\(text)")

        // Another client is served as before.
        let verdict = Shared<String?>(nil)
        reactor.callFromThread {
            let checker = TLSEchoChecker(payload: Array("still here".utf8)) { outcome in
                verdict.value = outcome
            }
            reactor.connectSSL("127.0.0.1", port.value, ClientCreatorFactory(onFailure: checker.finish) { checker }, clientContext, serverName: "localhost")
        }
        try await waitUntil { verdict.value != nil }
        stopFromOutside(reactor)
        _ = await running.value
        #expect(verdict.value == "echoed 10 bytes over TLSv1.3, then ConnectionDone")
    }

    @Test func aTwistClientTalksToOpensslSServer() async throws {
        let certificates = try TestCertificates.shared()
        let server = try PeerProcess.start("openssl", [
            "s_server", "-accept", "127.0.0.1:0", "-cert", certificates.serverCertificate, "-key", certificates.serverKey,
            "-naccept", "1", "-rev", "-alpn", "h2,http/1.1",
        ])
        defer { server.terminateIfRunning() }
        var line = await server.readLine()
        while !line.hasPrefix("ACCEPT"), !line.isEmpty { line = await server.readLine() }
        let port = try #require(Int(line.split(separator: ":").last ?? ""), "s_server said: \(line)")
        let clientContext = try TLSTestContexts.client { $0.acceptableProtocols = ["http/1.1", "h2"] }
        let verdict = Shared<String?>(nil)
        let stopped = await runReactor(timeout: 30) { reactor in
            let client = LineExchange(line: "hello twist\n") { outcome in
                verdict.value = outcome
                try? reactor.stop()
            }
            reactor.connectSSL("127.0.0.1", port, ClientCreatorFactory(onFailure: client.finish) { client }, clientContext, serverName: "localhost")
        }
        #expect(stopped)
        #expect(verdict.value == "got \"tsiwt olleh\" with ALPN h2, then ConnectionDone")
    }
}

/// Writes `payload`, checks the echo, closes, and reports once the connection is gone.
final class TLSEchoChecker: Protocol {
    let payload: [UInt8]
    var received: [UInt8] = []
    var version: String?
    let report: (String) -> Void
    var reported = false

    init(payload: [UInt8], report: @escaping (String) -> Void) {
        self.payload = payload
        self.report = report
    }

    override func connectionMade() { transport?.write(payload) }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        received += data
        if received.count >= payload.count {
            version = (transport as? any TLSTransport)?.protocolVersion
            transport?.loseConnection()
        }
    }

    override func connectionLost(reason: Failure) {
        let echoed = received == payload ? "echoed \(payload.count) bytes" : "got \(received.count) of \(payload.count) bytes"
        finish("\(echoed) over \(version ?? "?"), then \(type(of: reason.error))")
    }

    func finish(_ failure: Failure) { finish("failed: \(failure)") }

    func finish(_ outcome: String) {
        guard !reported else { return }
        reported = true
        report(outcome)
    }
}

/// Sends a plain HTTP request to a TLS port and reports what came back before the close.
final class PlainTextProbe: Protocol {
    var received: [UInt8] = []
    let report: (String) -> Void

    init(report: @escaping (String) -> Void) { self.report = report }

    override func connectionMade() { transport?.write(Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)) }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { received += data }
    override func connectionLost(reason: Failure) {
        report("closed by the server after \(received.count) bytes, \(type(of: reason.error))")
    }
}

/// Echoes the first line it receives, then closes (close_notify first).
final class LineEchoThenClose: Protocol {
    var buffer: [UInt8] = []
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        buffer += data
        guard let end = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return }
        transport?.write(buffer[...end])
        transport?.loseConnection()
    }
}

/// Sends one line and reports the reply line, the ALPN protocol and how the connection ended.
final class LineExchange: Protocol {
    let line: String
    var received: [UInt8] = []
    var answer: String?
    var alpn: String?
    let report: (String) -> Void
    var reported = false

    init(line: String, report: @escaping (String) -> Void) {
        self.line = line
        self.report = report
    }

    override func connectionMade() { transport?.write(Array(line.utf8)) }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        received += data
        guard answer == nil, let end = received.firstIndex(of: UInt8(ascii: "\n")) else { return }
        answer = String(decoding: received[..<end], as: UTF8.self)
        alpn = (transport as? any TLSTransport)?.negotiatedProtocol
        transport?.loseConnection()
    }

    override func connectionLost(reason: Failure) {
        finish("got \"\(answer ?? "nothing")\" with ALPN \(alpn ?? "none"), then \(type(of: reason.error))")
    }

    func finish(_ failure: Failure) { finish("failed: \(failure)") }

    func finish(_ outcome: String) {
        guard !reported else { return }
        reported = true
        report(outcome)
    }
}
