import Testing
import Twist
import TwistTestSupport

/// `startTLS` on live TCP connections, over loopback: the STARTTLS shape (a line in the clear,
/// then TLS both ways), clear text still queued when TLS starts, roles swapped, and refusals.
@Suite(.serialized, .timeLimit(.minutes(1))) struct StartTLSTests {
    @Test func aClearTextExchangeThenTLSBothWays() async throws {
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { STARTTLSServer(context: serverContext, clearText: 0) }, interface: "127.0.0.1")
            let client = STARTTLSClient(context: clientContext, expectedClearText: 0) { lines in
                outcome.value = lines
                try? reactor.stop()
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, ClientCreatorFactory(onFailure: { client.report(["failed: \($0)"]) }) { client })
        }
        #expect(stopped)
        #expect(outcome.value == [
            "clear: GO",
            "tls transport: true, made once: true",
            "secure: ECHO secret over TLSv1.3",
            "lost: ConnectionDone",
        ])
    }

    @Test func clearTextStillQueuedWhenTLSStartsIsSentFirst() async throws {
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            // 500 KB of clear text, written just before the server switches: most of it is still
            // in the server's write queue when the TLS bytes are queued behind it.
            let port = try reactor.listenTCP(0, Factory { STARTTLSServer(context: serverContext, clearText: 500_000) }, interface: "127.0.0.1")
            let client = STARTTLSClient(context: clientContext, expectedClearText: 500_000) { lines in
                outcome.value = lines
                try? reactor.stop()
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, ClientCreatorFactory(onFailure: { client.report(["failed: \($0)"]) }) { client })
        }
        #expect(stopped)
        #expect(outcome.value == [
            "clear: 500000 bytes of filler, then GO",
            "tls transport: true, made once: true",
            "secure: ECHO secret over TLSv1.3",
            "lost: ConnectionDone",
        ])
    }

    @Test func startingTLSTwiceOrOnAClosingConnectionIsRefused() async throws {
        let clientContext = try TLSTestContexts.client()
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { Protocol() }, interface: "127.0.0.1")
            let probe = CallbackProtocol { connection in
                guard let transport = connection as? any StartTLSTransport else { return }
                do {
                    try transport.startTLS(clientContext, serverName: "localhost")
                    outcome.mutate { $0.append("started") }
                    try transport.startTLS(clientContext, serverName: "localhost")
                } catch {
                    outcome.mutate { $0.append("again: \(error)") }
                }
                transport.abortConnection()
                do {
                    try transport.startTLS(clientContext, serverName: "localhost")
                } catch {
                    outcome.mutate { $0.append("closing: \(error)") }
                }
                reactor.callLater(0.05) { try reactor.stop() }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, ClientCreatorFactory(onFailure: { _ in }) { probe })
        }
        #expect(stopped)
        #expect(outcome.value == [
            "started",
            "again: TLS error: TLS is already started on this connection",
            "closing: TLS error: cannot start TLS on a connection that is closing",
        ])
    }
}

/// Reads lines; on "STARTTLS" writes `clearText` bytes of filler and "GO", then switches to TLS
/// as the server; afterwards answers each line with "ECHO <line>".
final class STARTTLSServer: Protocol {
    let context: TLSContext
    let clearText: Int
    var buffer: [UInt8] = []
    var secure = false

    init(context: TLSContext, clearText: Int) {
        self.context = context
        self.clearText = clearText
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        buffer += data
        while let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: buffer[..<end], as: UTF8.self)
            buffer.removeSubrange(...end)
            if !secure, line == "STARTTLS" {
                if clearText > 0 { transport?.write([UInt8](repeating: UInt8(ascii: "."), count: clearText)) }
                transport?.write(Array("GO\n".utf8))
                try (transport as! any StartTLSTransport).startTLS(context, serverName: nil)
                secure = true
            } else if secure {
                transport?.write(Array("ECHO \(line)\n".utf8))
            }
        }
    }
}

/// Sends "STARTTLS", waits for the clear-text answer (after `expectedClearText` bytes of filler),
/// switches to TLS as the client, sends "secret", reads the echo, closes, and reports.
class STARTTLSClient: Protocol {
    let context: TLSContext
    let expectedClearText: Int
    var buffer: [UInt8] = []
    var lines: [String] = []
    var secure = false
    var made = 0
    let report: ([String]) -> Void
    var reported = false

    init(context: TLSContext, expectedClearText: Int, report: @escaping ([String]) -> Void) {
        self.context = context
        self.expectedClearText = expectedClearText
        self.report = report
    }

    override func connectionMade() {
        made += 1
        transport?.write(Array("STARTTLS\n".utf8))
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        buffer += data
        if !secure {
            guard buffer.count >= expectedClearText + 3 else { return }
            let filler = buffer.prefix(expectedClearText).allSatisfy { $0 == UInt8(ascii: ".") }
            let go = String(decoding: buffer[expectedClearText..<(expectedClearText + 3)], as: UTF8.self)
            lines.append(expectedClearText > 0 ? "clear: \(filler ? "\(expectedClearText) bytes of filler" : "corrupt filler"), then \(go.dropLast())" : "clear: \(go.dropLast())")
            buffer.removeFirst(expectedClearText + 3)
            try (transport as! any StartTLSTransport).startTLS(context, serverName: "localhost")
            secure = true
            lines.append("tls transport: \(transport is any TLSTransport), made once: \(made == 1)")
            transport?.write(Array("secret\n".utf8))
            return
        }
        guard let end = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return }
        let version = (transport as? any TLSTransport)?.protocolVersion ?? "?"
        lines.append("secure: \(String(decoding: buffer[..<end], as: UTF8.self)) over \(version)")
        transport?.loseConnection()
    }

    override func connectionLost(reason: Failure) {
        lines.append("lost: \(type(of: reason.error))")
        report(lines)
    }

    func report(_ lines: [String]) {
        guard !reported else { return }
        reported = true
        report(lines)
    }
}
