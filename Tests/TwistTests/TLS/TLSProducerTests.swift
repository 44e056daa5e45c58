import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// Producers through TLS, in memory: paused while writes wait for the handshake, paused and
/// resumed by the transport below through one membrane, and a close that waits for the producer.
@Suite struct TLSProducerTests {
    @Test func aPushProducerIsPausedWhileWritesWaitForTheHandshakeAndResumedAfter() throws {
        let tls = try TLSMemoryPair(client: TLSRecorder(greeting: "written before the handshake"))
        let producer = RecordingProducer()
        try tls.client.transport?.registerProducer(.push(producer))
        #expect(producer.events == ["pause"])
        tls.flush()
        #expect(producer.events == ["pause", "resume"])
        #expect(tls.server.text == "written before the handshake")
    }

    @Test func theProducerHearsOnlyChangesOfTheCombinedState() throws {
        let tls = try TLSMemoryPair()
        let producer = RecordingProducer()
        try tls.client.transport?.registerProducer(.push(producer))
        guard case .push(let membrane)? = tls.pair.clientTransport.producer else {
            Issue.record("the transport below has no push producer")
            return
        }
        tls.client.transport?.write(Array("kept".utf8))  // waits for the handshake: TLS pauses
        membrane.pauseProducing()                         // and the transport below pauses too
        #expect(producer.events == ["pause"])
        tls.flush()                                       // the handshake is done; below still paused
        #expect(producer.events == ["pause"])
        membrane.resumeProducing()
        #expect(producer.events == ["pause", "resume"])
        membrane.stopProducing()
        #expect(producer.events == ["pause", "resume", "stop"])
    }

    @Test func loseConnectionWithAProducerRegisteredWaitsUntilItUnregisters() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        let producer = RecordingProducer()
        try tls.client.transport?.registerProducer(.push(producer))
        tls.client.transport?.loseConnection()
        tls.client.transport?.write(Array("still accepted".utf8))
        tls.flush()
        #expect(tls.server.text == "still accepted")
        #expect(tls.client.reason == nil && tls.server.reason == nil)
        tls.client.transport?.unregisterProducer()
        tls.client.transport?.write(Array("dropped".utf8))
        tls.flush()
        #expect(tls.server.text == "still accepted")
        #expect(tls.client.reason?.matches(ConnectionDone.self) == true, "\(String(describing: tls.client.reason))")
        #expect(tls.server.reason?.matches(ConnectionDone.self) == true, "\(String(describing: tls.server.reason))")
    }

    @Test func registeringTwiceIsAnErrorAndUnregisteringTwiceIsHarmless() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        try tls.client.transport?.registerProducer(.push(RecordingProducer()))
        #expect(throws: ProducerRegistrationError.self) { try tls.client.transport?.registerProducer(.push(RecordingProducer())) }
        tls.client.transport?.unregisterProducer()
        tls.client.transport?.unregisterProducer()
        try tls.client.transport?.registerProducer(.push(RecordingProducer()))
    }

    @Test func registeringAfterTheConnectionIsLostStopsTheProducerAtOnce() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        tls.client.transport?.loseConnection()
        tls.flush()
        let producer = RecordingProducer()
        try tls.clientWrapper.registerProducer(.push(producer))
        #expect(producer.events == ["stop"])
    }
}

/// Records the calls a push producer gets.
final class RecordingProducer: PushProducer {
    var events: [String] = []
    func pauseProducing() { events.append("pause") }
    func resumeProducing() { events.append("resume") }
    func stopProducing() { events.append("stop") }
}
