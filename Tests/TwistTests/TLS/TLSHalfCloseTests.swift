import Foundation
import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// TLS 1.3 half-close through `loseWriteConnection()` (close_notify one way while the other way
/// keeps flowing), and what it means under TLS 1.2, in memory.
@Suite struct TLSHalfCloseTests {
    @Test func aClientsHalfCloseReachesAHalfCloseableServerWhichStillAnswers() throws {
        let server = HalfCloseRecorder { $0.transport?.write(Array("the answer".utf8)); $0.transport?.loseConnection() }
        let client = HalfCloseRecorder()
        let tls = try TLSMemoryPair(server: server, client: client)
        tls.flush()
        client.transport?.write(Array("the whole question".utf8))
        (client.transport as? any HalfCloseableTransport)?.loseWriteConnection()
        client.transport?.write(Array("dropped".utf8))
        tls.flush()
        #expect(server.text == "the whole question")
        #expect(client.text == "the answer")
        #expect(client.events == ["connectionMade", "handshakeCompleted", "writeConnectionLost", "data", "connectionLost"])
        #expect(server.events == ["connectionMade", "handshakeCompleted", "data", "readConnectionLost", "connectionLost"])
        #expect(client.reason?.matches(ConnectionDone.self) == true, "\(String(describing: client.reason))")
        #expect(server.reason?.matches(ConnectionDone.self) == true, "\(String(describing: server.reason))")
    }

    @Test func aServersHalfCloseReachesAHalfCloseableClientWhichStillSends() throws {
        let client = HalfCloseRecorder {
            $0.transport?.write(Array("more from the client".utf8))
            $0.transport?.write(Array(", and the end".utf8))
            $0.transport?.loseConnection()
        }
        let server = HalfCloseRecorder()
        let tls = try TLSMemoryPair(server: server, client: client)
        tls.flush()
        server.transport?.write(Array("greeting".utf8))
        server.tls.loseWriteConnection()
        tls.flush()
        #expect(client.text == "greeting")
        #expect(server.text == "more from the client, and the end")
        #expect(server.events.contains("writeConnectionLost") && client.events.contains("readConnectionLost"))
        #expect(client.reason?.matches(ConnectionDone.self) == true)
        #expect(server.reason?.matches(ConnectionDone.self) == true)
        #expect(tls.pair.clientTransport.isDisconnected && tls.pair.serverTransport.isDisconnected)
    }

    @Test func aPeerThatIsNotHalfCloseableAnswersCloseNotifyByClosing() throws {
        let client = HalfCloseRecorder()
        let tls = try TLSMemoryPair(server: TLSRecorder(echo: true), client: client)
        tls.flush()
        client.transport?.write(Array("echo me".utf8))
        client.tls.loseWriteConnection()
        tls.flush()
        #expect(client.text == "echo me", "the echo was sent before the server read the close_notify")
        #expect(client.reason?.matches(ConnectionDone.self) == true)
        #expect(tls.server.reason?.matches(ConnectionDone.self) == true)
    }

    @Test func loseWriteConnectionTwiceDoesNothingMoreAndLoseConnectionAfterItWaitsForTheShutdownTimeout() throws {
        let client = HalfCloseRecorder()
        let server = HalfCloseRecorder()  // reads the close_notify and never closes
        let tls = try TLSMemoryPair(server: server, client: client)
        tls.flush()
        client.tls.loseWriteConnection()
        client.tls.loseWriteConnection()
        tls.flush()
        #expect(client.events.filter { $0 == "writeConnectionLost" }.count == 1)
        #expect(server.events.last == "readConnectionLost")
        server.transport?.write(Array("still talking".utf8))
        tls.flush()
        #expect(client.text == "still talking")
        client.transport?.loseConnection()
        tls.flush()
        #expect(client.reason == nil, "waiting for the server's close_notify")
        try tls.clock.advance(5)
        tls.flush()
        #expect(client.reason?.matches(ConnectionDone.self) == true, "\(String(describing: client.reason))")
        #expect(server.reason?.matches(ConnectionDone.self) == true, "\(String(describing: server.reason))")
    }

    @Test func underTLS12LoseWriteConnectionIsLoseConnection() throws {
        let server = HalfCloseRecorder()
        let client = HalfCloseRecorder()
        let tls = try TLSMemoryPair(server: server, client: client, serverContext: try TLSTestContexts.server { $0.maximumVersion = .tls12 })
        tls.flush()
        #expect(client.tls.protocolVersion == "TLSv1.2")
        client.transport?.write(Array("last".utf8))
        client.tls.loseWriteConnection()
        tls.flush()
        #expect(server.text == "last")
        #expect(!client.events.contains("writeConnectionLost") && !server.events.contains("readConnectionLost"))
        #expect(client.reason?.matches(ConnectionDone.self) == true)
        #expect(server.reason?.matches(ConnectionDone.self) == true)
    }

    @Test func loseWriteConnectionDuringTheHandshakeIsLoseConnection() throws {
        let client = HalfCloseRecorder(greeting: "early")
        let tls = try TLSMemoryPair(client: client)
        client.tls.loseWriteConnection()
        tls.flush()
        #expect(tls.server.text == "early")
        #expect(!client.events.contains("writeConnectionLost"))
        #expect(client.reason?.matches(ConnectionDone.self) == true)
    }

    @Test func aReadConnectionLostThatThrowsAbortsOnlyThatConnection() throws {
        struct Refused: Error {}
        let server = HalfCloseRecorder { _ in throw Refused() }
        let client = HalfCloseRecorder()
        let tls = try TLSMemoryPair(server: server, client: client)
        tls.flush()
        client.tls.loseWriteConnection()
        tls.flush()
        #expect(server.reason?.check(ConnectionAborted.self) != nil, "\(String(describing: server.reason))")
        #expect(client.reason?.check(ConnectionLost.self) != nil, "\(String(describing: client.reason))")
    }
}

/// A ``TLSRecorder`` that is half-closeable: it records `readConnectionLost` and
/// `writeConnectionLost`, and runs `onReadClosed` on the first.
final class HalfCloseRecorder: TLSRecorder, HalfCloseableProtocol {
    let onReadClosed: (HalfCloseRecorder) throws -> Void

    init(greeting: String = "", onReadClosed: @escaping (HalfCloseRecorder) throws -> Void = { _ in }) {
        self.onReadClosed = onReadClosed
        super.init(greeting: greeting)
    }

    func readConnectionLost() throws {
        events.append("readConnectionLost")
        try onReadClosed(self)
    }

    func writeConnectionLost() throws {
        events.append("writeConnectionLost")
    }

    /// Runs after the connection is lost, if set.
    var onLost: ((HalfCloseRecorder) -> Void)?

    override func connectionLost(reason: Failure) {
        super.connectionLost(reason: reason)
        onLost?(self)
    }
}

/// TLS 1.3 half-close over loopback TCP: Twist on both ends (the client sends a request and
/// half-closes; the server reads to the close_notify, then answers and closes), and a Twist server
/// half-closing to `openssl s_client` (which answers our close_notify with its own).
@Suite(.serialized, .timeLimit(.minutes(1))) struct TLSHalfCloseLoopbackTests {
    @Test func aRequestEndedByHalfCloseIsAnsweredOverTheSameConnection() async throws {
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = Factory {
                HalfCloseRecorder { recorder in
                    recorder.transport?.write(Array("answer to \(recorder.text)".utf8))
                    recorder.transport?.loseConnection()
                }
            }
            let port = try reactor.listenSSL(0, server, serverContext, interface: "127.0.0.1")
            let client = HalfCloseRecorder(greeting: "the request")
            client.onHandshake = { ($0.transport as? any HalfCloseableTransport)?.loseWriteConnection() }
            client.onLost = { client in
                outcome.value = client.events + [client.text, "\(type(of: client.reason!.error))"]
                try? reactor.stop()
            }
            let factory = ClientCreatorFactory(onFailure: { outcome.value = ["failed: \($0)"] }) { client }
            reactor.connectSSL("127.0.0.1", port.address.port!, factory, clientContext, serverName: "localhost")
        }
        #expect(stopped)
        #expect(outcome.value == [
            "connectionMade", "handshakeCompleted", "writeConnectionLost", "data", "connectionLost",
            "answer to the request", "ConnectionDone",
        ])
    }

    @Test func opensslSClientReadsOurHalfCloseAndAnswersItsCloseNotify() async throws {
        let certificates = try TestCertificates.shared()
        let serverContext = try TLSTestContexts.server()
        let events = Shared<[String]>([])
        let reactor = Reactor()
        let port = Shared(0)
        reactor.callWhenRunning {
            let server = Factory {
                let recorder = HalfCloseRecorder()
                recorder.onLost = { events.value = $0.events + ["\(type(of: $0.reason!.error))"] }
                return LineThenHalfClose(recorder)
            }
            port.value = try reactor.listenSSL(0, server, serverContext, interface: "127.0.0.1").address.port!
        }
        let running = startReactorThread(reactor, timeout: 30)
        try await waitUntil { port.value != 0 }
        let client = try PeerProcess.start("openssl", [
            "s_client", "-connect", "127.0.0.1:\(port.value)", "-CAfile", certificates.caCertificate,
            "-verify_return_error", "-msg",
        ], withInput: true)
        defer { client.terminateIfRunning() }
        let output = client.collectOutput()
        client.input?.fileHandleForWriting.write(Data("hello\n".utf8))
        let status = await client.waitForExit(timeout: 20)
        client.input?.fileHandleForWriting.closeFile()
        try await waitUntil { !events.value.isEmpty }
        stopFromOutside(reactor)
        _ = await running.value
        let text = await output.value
        #expect(status == 0, "\(text)")
        #expect(text.contains("bye"), "\(text)")
        #expect(text.contains("<<< TLS 1.3, Alert [length 0002], warning close_notify"), "ours: \(text)")
        #expect(text.contains(">>> TLS 1.3, Alert [length 0002], warning close_notify"), "s_client's: \(text)")
        #expect(events.value == ["connectionMade", "data", "writeConnectionLost", "connectionLost", "ConnectionDone"])
    }
}

/// Passes everything to a ``HalfCloseRecorder`` and, on the first full line, answers "bye" and
/// half-closes.
final class LineThenHalfClose: Protocol, HalfCloseableProtocol {
    let recorder: HalfCloseRecorder
    init(_ recorder: HalfCloseRecorder) { self.recorder = recorder }
    override func connectionMade() { recorder.makeConnection(transport!) }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        try recorder.dataReceived(data)
        guard recorder.received.contains(UInt8(ascii: "\n")), !recorder.events.contains("writeConnectionLost") else { return }
        transport?.write(Array("bye\n".utf8))
        (transport as? any HalfCloseableTransport)?.loseWriteConnection()
    }
    func readConnectionLost() throws { try recorder.readConnectionLost() }
    func writeConnectionLost() throws { try recorder.writeConnectionLost() }
    override func connectionLost(reason: Failure) { recorder.deliverConnectionLost(reason: reason) }
}
