import Testing
import TwistCore
import TwistTesting

/// A protocol that records what happens to it.
final class RecordingProtocol: Protocol {
    var events: [String] = []
    var received: [UInt8] = []
    var lostReason: Failure?

    override func connectionMade() { events.append("made") }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        events.append("data")
        received.append(contentsOf: data)
    }

    override func connectionLost(reason: Failure) {
        events.append("lost")
        lostReason = reason
    }
}

@Suite struct ProtocolTests {
    @Test func makeConnectionSetsTheTransportMarksConnectedThenCallsConnectionMade() {
        let transport = StringTransport()
        let proto = RecordingProtocol()
        #expect(!proto.isConnected)
        proto.makeConnection(transport)
        #expect(proto.isConnected)
        #expect(proto.transport === transport)
        #expect(proto.events == ["made"])
    }

    @Test func connectionLostIsDeliveredExactlyOnce() {
        let proto = RecordingProtocol()
        proto.makeConnection(StringTransport())
        proto.deliverConnectionLost(reason: Failure(ConnectionDone()))
        proto.deliverConnectionLost(reason: Failure(ConnectionLost()))
        #expect(proto.events == ["made", "lost"])
        #expect(proto.lostReason?.check(ConnectionDone.self) != nil)
        #expect(!proto.isConnected)
    }

    @Test func theLogPrefixIsTheTypeName() {
        #expect(RecordingProtocol().logPrefix == "RecordingProtocol")
    }
}

@Suite struct ConnectionErrorTests {
    @Test func errorsFollowTwistedsHierarchy() {
        let aborted = Failure(ConnectionAborted())
        #expect(aborted.check(ConnectionLost.self) != nil)
        #expect(aborted.check(ConnectionClosed.self) != nil)
        #expect(aborted.check(ConnectionDone.self) == nil)
        let timeout = Failure(ConnectTimeoutError())
        #expect(timeout.check(UserError.self) != nil)
        #expect(timeout.check(ConnectError.self) != nil)
        #expect(Failure(ConnectionRefusedError(osError: 111)).check(ConnectError.self)?.osError == 111)
    }

    @Test func descriptionsSayWhatHappened() {
        #expect("\(ConnectionDone())" == "the connection was closed cleanly")
        #expect("\(ConnectionRefusedError("127.0.0.1:1", osError: 111))" == "connection was refused by other side: 127.0.0.1:1 (errno 111)")
        #expect("\(CannotListenError(interface: "", port: 80, "Address already in use", osError: 98))"
            == "couldn't listen on any:80: Address already in use (errno 98)")
    }
}

@Suite struct FactoryTests {
    @Test func buildProtocolMakesAProtocolAndSetsItsFactory() {
        let factory = Factory { RecordingProtocol() }
        let built = factory.buildProtocol(address: .ipv4("127.0.0.1", 1234))
        #expect(built is RecordingProtocol)
        #expect(built?.factory === factory)
    }

    @Test func aFactoryMayRefuseAConnection() {
        let factory = Factory { nil }
        #expect(factory.buildProtocol(address: .ipv4("127.0.0.1", 1)) == nil)
    }

    @Test func startAndStopRunOnlyOnTheFirstAndLastUse() {
        final class CountingFactory: ServerFactory {
            var starts = 0
            var stops = 0
            override func startFactory() { starts += 1 }
            override func stopFactory() { stops += 1 }
        }
        let capture = LogCapture()
        let factory = CountingFactory()
        factory.logger = capture.logger()
        factory.doStop()  // at zero: nothing
        factory.doStart()
        factory.doStart()
        factory.doStart()
        factory.doStop()
        factory.doStop()
        #expect(factory.starts == 1)
        #expect(factory.stops == 0)
        factory.doStop()
        #expect(factory.stops == 1)
        #expect(factory.numberOfUsers == 0)
        let messages = capture.records.filter { $0.level == .debug }.map(\.message)
        #expect(messages == ["Starting factory CountingFactory", "Stopping factory CountingFactory"])
        #expect(!capture.records.contains { $0.level >= .info }, "quiet at the default level")

        let quiet = CountingFactory()
        let quietCapture = LogCapture()
        quiet.logger = quietCapture.logger()
        quiet.noisy = false
        quiet.doStart()
        quiet.doStop()
        #expect(quiet.starts == 1 && quiet.stops == 1)
        #expect(quietCapture.records.isEmpty, "a factory that is not noisy logs nothing")
    }
}

@Suite struct StringTransportTests {
    @Test func valueHoldsEverythingWrittenSinceTheLastClear() {
        let transport = StringTransport()
        transport.write([1, 2])
        transport.writeSequence([[3][...], [4, 5][...]])
        transport.write("ok".utf8)
        #expect(transport.value == [1, 2, 3, 4, 5, 111, 107])
        transport.clear()
        transport.write([9])
        #expect(transport.value == [9])
    }

    @Test func loseConnectionOnlySetsDisconnectingAndAbortSetsBoth() {
        let losing = StringTransport()
        let proto = RecordingProtocol()
        losing.connect(proto)
        losing.loseConnection()
        #expect(losing.isDisconnecting)
        #expect(!losing.isDisconnected)
        #expect(proto.events == ["made"])  // nothing calls back into the protocol

        let aborting = StringTransport()
        aborting.abortConnection()
        #expect(aborting.isDisconnecting)
        #expect(aborting.isDisconnected)
    }

    @Test func defaultAndGivenAddresses() {
        let transport = StringTransport()
        #expect(transport.host == .ipv4("10.0.0.1", 12345))
        #expect(transport.peer == .ipv4("192.168.1.1", 54321))
        let custom = StringTransport(host: .ipv6("::1", 80), peer: .ipv4("127.0.0.1", 9))
        #expect(custom.host.description == "[::1]:80")
        #expect(custom.peer.description == "127.0.0.1:9")
    }

    @Test func withDisconnectionTheProtocolHearsConnectionDoneOnce() {
        let transport = StringTransport(disconnectsProtocol: true)
        let proto = RecordingProtocol()
        transport.connect(proto)
        transport.loseConnection()
        transport.loseConnection()
        transport.abortConnection()
        #expect(proto.events == ["made", "lost"])
        #expect(proto.lostReason?.check(ConnectionDone.self) != nil)
    }

    @Test func oneProducerAtATimeAndTheProducerStateMoves() throws {
        final class Producer: PushProducer {
            func pauseProducing() {}
            func resumeProducing() {}
            func stopProducing() {}
        }
        let transport = StringTransport()
        try transport.registerProducer(.push(Producer()))
        #expect(throws: ProducerRegistrationError.self) { try transport.registerProducer(.pull(Producer())) }
        transport.unregisterProducer()
        try transport.registerProducer(.pull(Producer()))
        #expect(transport.producerState == .producing)
        transport.pauseProducing()
        #expect(transport.producerState == .paused)
        transport.resumeProducing()
        #expect(transport.producerState == .producing)
        transport.stopProducing()
        #expect(transport.producerState == .stopped)
    }

    @Test func pausingAStoppedOrDisconnectingTransportIsAnError() async {
        await #expect(processExitsWith: .failure) {
            let transport = StringTransport()
            transport.stopProducing()
            transport.pauseProducing()
        }
        await #expect(processExitsWith: .failure) {
            let transport = StringTransport()
            transport.loseConnection()
            transport.resumeProducing()
        }
    }
}
