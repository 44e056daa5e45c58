import Testing
import Twist
import TwistTestSupport

/// `startTLS` from a protocol carried by a wrapper (passed down to the connection), and bytes
/// that arrived with the STARTTLS command but belong to TLS (`leftover:`), over loopback.
@Suite(.serialized, .timeLimit(.minutes(1))) struct StartTLSThroughWrapperTests {
    @Test func aProtocolUnderAWrapperStartsTLSAndTheWrapperSeesPlaintext() async throws {
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let outcome = Shared<[String]>([])
        let wrapperSaw = Shared<String>("")
        let stopped = await runReactor { reactor in
            let wrapped = WrappingFactory(wrapping: Factory { STARTTLSServer(context: serverContext, clearText: 0) })
            let factory = RecordingWrappingFactory(wrapping: wrapped) { text in wrapperSaw.mutate { $0 += text } }
            let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1")
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
        // The outer wrapper is above TLS: it saw the clear command, then the decrypted line.
        #expect(wrapperSaw.value == "STARTTLS\nsecret\n")
    }

    @Test func startTLSOnAWrapperWithNothingBelowThatCanIsAClearError() throws {
        let wrapper = ProtocolWrapper(wrapping: Protocol())
        let error = #expect(throws: TLSError.self) { try wrapper.startTLS(try TLSTestContexts.client(), serverName: "localhost") }
        #expect(error?.detail == "the transport below cannot start TLS")
    }

    @Test func bytesThatArrivedWithTheCommandAreFedToTLSAsLeftover() async throws {
        let lines = try await pipelined(keepLeftover: true, serverTimeout: 30)
        #expect(lines == [
            "tls transport: true, made once: true",
            "secure: ECHO secret over TLSv1.3",
            "lost: ConnectionDone",
        ])
    }

    @Test func withoutTheLeftoverTheClientHelloIsLostAndTheHandshakeTimesOut() async throws {
        let lines = try await pipelined(keepLeftover: false, serverTimeout: 0.5)
        #expect(lines.first == "tls transport: true, made once: true")
        #expect(lines.last == "lost: ConnectionLost", "\(lines)")
    }

    /// A client that sends "STARTTLS" and its ClientHello at once, against a server that reads
    /// them together and passes (or drops) what follows the command.
    private func pipelined(keepLeftover: Bool, serverTimeout: Double) async throws -> [String] {
        let serverContext = try TLSTestContexts.server { $0.handshakeTimeout = serverTimeout }
        let clientContext = try TLSTestContexts.client()
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { PipelinedSTARTTLSServer(context: serverContext, keepLeftover: keepLeftover) }, interface: "127.0.0.1")
            let client = PipelinedSTARTTLSClient(context: clientContext) { lines in
                outcome.value = lines
                try? reactor.stop()
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, ClientCreatorFactory(onFailure: { client.report(["failed: \($0)"]) }) { client })
        }
        #expect(stopped)
        return outcome.value
    }
}

/// A wrapping factory whose wrappers report every byte they pass up.
final class RecordingWrappingFactory: WrappingFactory {
    let saw: (String) -> Void
    init(wrapping: Factory, saw: @escaping (String) -> Void) {
        self.saw = saw
        super.init(wrapping: wrapping)
    }
    override func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
        RecordingWrapper(wrapping: wrapped, factory: self)
    }

    final class RecordingWrapper: ProtocolWrapper {
        override func dataReceived(_ data: ArraySlice<UInt8>) throws {
            (factory as? RecordingWrappingFactory)?.saw(String(decoding: data, as: UTF8.self))
            try super.dataReceived(data)
        }
    }
}

/// Waits until it holds "STARTTLS\n" and at least a TLS record header after it, then starts TLS
/// as the server, passing those bytes as leftover (or dropping them); then echoes lines.
final class PipelinedSTARTTLSServer: Protocol {
    let context: TLSContext
    let keepLeftover: Bool
    var buffer: [UInt8] = []
    var secure = false

    init(context: TLSContext, keepLeftover: Bool) {
        self.context = context
        self.keepLeftover = keepLeftover
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        buffer += data
        if !secure {
            let command = Array("STARTTLS\n".utf8)
            guard buffer.count >= command.count + 5 else { return }
            guard buffer.starts(with: command) else { return transport!.loseConnection() }
            let leftover = buffer[command.count...]
            buffer = []
            secure = true
            try (transport as! any StartTLSTransport).startTLS(context, serverName: nil, leftover: keepLeftover ? leftover : [])
            return
        }
        while let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: buffer[..<end], as: UTF8.self)
            buffer.removeSubrange(...end)
            transport?.write(Array("ECHO \(line)\n".utf8))
        }
    }
}

/// Sends "STARTTLS" and switches to TLS at once (its ClientHello follows the command), sends
/// "secret", reads the echo, closes, and reports: ``STARTTLSClient``'s secure phase, entered from
/// `connectionMade` instead of after the server's "GO".
final class PipelinedSTARTTLSClient: STARTTLSClient {
    init(context: TLSContext, report: @escaping ([String]) -> Void) {
        super.init(context: context, expectedClearText: 0, report: report)
    }

    override func connectionMade() {
        made += 1
        transport?.write(Array("STARTTLS\n".utf8))
        do {
            try (transport as! any StartTLSTransport).startTLS(context, serverName: "localhost")
        } catch {
            report(["startTLS failed: \(error)"])
            return
        }
        secure = true
        lines.append("tls transport: \(transport is any TLSTransport), made once: \(made == 1)")
        transport?.write(Array("secret\n".utf8))
    }
}
