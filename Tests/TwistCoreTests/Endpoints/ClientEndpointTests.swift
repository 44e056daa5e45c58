import Testing
import TwistCore
import TwistTesting

/// A client factory that records what it hears, to show what an endpoint lets through.
final class ListeningClientFactory: ClientFactory {
    var events: [String] = []
    var built: [RecordingProtocol] = []
    var refuses = false

    override func buildProtocol(address: Address) -> Protocol? {
        events.append("build \(address)")
        if refuses { return nil }
        let made = RecordingProtocol()
        made.factory = self
        built.append(made)
        return made
    }

    override func startFactory() { events.append("start") }
    override func stopFactory() { events.append("stop") }
    override func startedConnecting(_ connector: any Connector) { events.append("startedConnecting") }
    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) { events.append("failed") }
    override func clientConnectionLost(_ connector: any Connector, reason: Failure) { events.append("lost") }
}

/// A half-closeable protocol that records half-closes.
final class HalfCloseRecorder: Protocol, HalfCloseableProtocol {
    var events: [String] = []
    func readConnectionLost() throws { events.append("readConnectionLost") }
    func writeConnectionLost() throws { events.append("writeConnectionLost") }
}

@Suite("Client endpoints (items 47–51, 53)")
struct ClientEndpointTests {
    let reactor = MemoryReactor()

    /// What the reactor would do on success: build with the recorded factory, connect to a transport.
    func connectRecorded(_ factory: ClientFactory, transport: StringTransport = StringTransport()) -> Protocol? {
        guard let built = factory.buildProtocol(address: .ipv4("127.0.0.1", 80)) else { return nil }
        built.makeConnection(transport)
        return built
    }

    @Test func tcp4RecordsConnectTCPWithTheDefaults() throws {
        let endpoint = TCP4ClientEndpoint(reactor: reactor, host: "example.com", port: 80)
        let connecting = endpoint.connect(Factory { RecordingProtocol() })
        let call = try #require(reactor.connectCalls.first)
        #expect((call.host, call.port, call.timeout, call.bindAddress) == ("example.com", 80, 30, nil))
        #expect(!connecting.hasFired)
        #expect(endpoint.description == "tcp:example.com:80")
        connecting.cancel()
        connecting.swallow()
    }

    @Test func tcp4PassesNonDefaultArguments() throws {
        let endpoint = TCP4ClientEndpoint(reactor: reactor, host: "10.0.0.1", port: 81, timeout: 2.5, bindAddress: .ipv4("10.0.0.2", 0))
        _ = endpoint.connect(Factory { RecordingProtocol() })
        let call = try #require(reactor.connectCalls.first)
        #expect((call.host, call.port, call.timeout, call.bindAddress) == ("10.0.0.1", 81, 2.5, .ipv4("10.0.0.2", 0)))
        #expect(endpoint.description == "tcp:10.0.0.1:81:timeout=2.5:bindAddress=10.0.0.2")
    }

    @Test func tcp6UsesAnIPv6LiteralAsIs() throws {
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "::1", port: 80, timeout: 5)
        _ = endpoint.connect(Factory { RecordingProtocol() })
        let call = try #require(reactor.connectCalls.first)
        #expect((call.host, call.port, call.timeout) == ("::1", 80, 5))
        #expect(call.connector.destination == .ipv6("::1", 80))
        #expect(endpoint.description == #"tcp6:\:\:1:80:timeout=5"#)
    }

    @Test func unixRecordsConnectUNIXWithTheDefaults() throws {
        let endpoint = UNIXClientEndpoint(reactor: reactor, path: "/tmp/s")
        _ = endpoint.connect(Factory { RecordingProtocol() })
        let call = try #require(reactor.unixConnectCalls.first)
        #expect((call.path, call.timeout, call.checkPID) == ("/tmp/s", 30, false))
        #expect(endpoint.description == "unix:/tmp/s")
        let strict = UNIXClientEndpoint(reactor: reactor, path: "/s", timeout: 1, checkPID: true)
        _ = strict.connect(Factory { RecordingProtocol() })
        let strictCall = try #require(reactor.unixConnectCalls.last)
        #expect((strictCall.timeout, strictCall.checkPID) == (1, true))
        #expect(strict.description == "unix:/s:timeout=1:checkPID=1")
    }

    @Test func successFiresWithTheApplicationProtocolOnTheRealTransportAfterConnectionMade() throws {
        let endpoint = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 80)
        let connecting = endpoint.connect(Factory { RecordingProtocol() })
        let recorded = try #require(reactor.connectCalls.first).factory
        #expect(recorded !== connecting.successValue)  // nothing yet

        let transport = StringTransport()
        let built = try #require(recorded.buildProtocol(address: .ipv4("127.0.0.1", 80)))
        #expect(!(built is RecordingProtocol))  // the reactor holds the endpoint's wrapper
        #expect(!connecting.hasFired)  // built, but not connected: not yet
        built.makeConnection(transport)

        let app = try #require(connecting.successValue as? RecordingProtocol)
        #expect(app.events == ["made"])
        #expect(app.transport === transport)
        // Deliveries reach the application's protocol through the wrapper, unchanged.
        try built.dataReceived(Array("hi".utf8)[...])
        #expect(app.received == Array("hi".utf8))
        #expect(built.logPrefix == "RecordingProtocol")
        built.deliverConnectionLost(reason: Failure(ConnectionDone()))
        #expect(app.events == ["made", "data", "lost"])
        #expect(app.lostReason?.check(ConnectionDone.self) != nil)
    }

    @Test func theDeferredFiresAfterConnectionMadeHasRun() throws {
        final class Greeter: Protocol {
            override func connectionMade() { transport?.write(Array("hello".utf8)[...]) }
        }
        let connecting = UNIXClientEndpoint(reactor: reactor, path: "/s").connect(Factory { Greeter() })
        let transport = StringTransport()
        var writtenWhenFired = ""
        _ = connecting.addCallback { _ in writtenWhenFired = transport.valueString }
        let recorded = try #require(reactor.unixConnectCalls.first).factory
        _ = connectRecorded(recorded, transport: transport)
        #expect(writtenWhenFired == "hello")
    }

    @Test func aConnectionErrorFailsTheDeferredWithTheReactorsReason() throws {
        let connecting = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 1).connect(Factory { RecordingProtocol() })
        let call = try #require(reactor.connectCalls.first)
        call.factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError()))
        #expect(connecting.failure?.check(ConnectionRefusedError.self) != nil)
        connecting.swallow()
        // A late second report changes nothing.
        call.factory.clientConnectionFailed(call.connector, reason: Failure(ConnectTimeoutError()))
    }

    @Test func aFactoryThatBuildsNothingFailsTheDeferredWithNoProtocolAndRefusesTheConnection() throws {
        let factory = ListeningClientFactory()
        factory.refuses = true
        let connecting = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 1).connect(factory)
        let recorded = try #require(reactor.connectCalls.first).factory
        #expect(recorded.buildProtocol(address: .ipv4("127.0.0.1", 1)) == nil)  // the reactor drops it
        #expect(connecting.failure?.check(NoProtocol.self) != nil)
        connecting.swallow()
    }

    @Test func cancellingBeforeSuccessStopsTheConnectorAndFailsWithItsDestination() throws {
        let connecting = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 7).connect(Factory { RecordingProtocol() })
        let call = try #require(reactor.connectCalls.first)
        connecting.cancel()
        #expect(call.connector.wasStopped)
        let error = try #require(connecting.failure?.check(ConnectingCancelledError.self))
        #expect(error.address == .ipv4("127.0.0.1", 7))
        connecting.swallow()
        // The reactor's report of the stop, and a late connection, change nothing.
        call.factory.clientConnectionFailed(call.connector, reason: Failure(UserError()))
        #expect(call.factory.buildProtocol(address: .ipv4("127.0.0.1", 7)) == nil)
    }

    @Test func cancellingAUNIXAttemptNamesTheSocket() throws {
        let connecting = UNIXClientEndpoint(reactor: reactor, path: "/run/s").connect(Factory { RecordingProtocol() })
        connecting.cancel()
        #expect(connecting.failure?.check(ConnectingCancelledError.self)?.address == .unix("/run/s"))
        let call = try #require(reactor.unixConnectCalls.first)
        #expect(call.connector.wasStopped)
        connecting.swallow()
    }

    @Test func cancellingBetweenBuildAndConnectClosesTheConnection() throws {
        let factory = ListeningClientFactory()
        let connecting = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 7).connect(factory)
        let recorded = try #require(reactor.connectCalls.first).factory
        let built = try #require(recorded.buildProtocol(address: .ipv4("127.0.0.1", 7)))
        connecting.cancel()
        let transport = StringTransport()
        built.makeConnection(transport)
        #expect(transport.isDisconnecting)
        #expect(factory.built.first?.events == [])  // never connected
        #expect(connecting.failure?.check(ConnectingCancelledError.self) != nil)
        connecting.swallow()
    }

    @Test func cancellingAfterSuccessDoesNothing() throws {
        let connecting = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 7).connect(Factory { RecordingProtocol() })
        let call = try #require(reactor.connectCalls.first)
        _ = connectRecorded(call.factory)
        connecting.cancel()
        #expect(!call.connector.wasStopped)
        let app = try #require(connecting.successValue as? RecordingProtocol)
        #expect(app.isConnected)
    }

    @Test func doStartAndDoStopReachTheFactoryButClientNotificationsDoNot() throws {
        let factory = ListeningClientFactory()
        let connecting = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 7).connect(factory)
        let call = try #require(reactor.connectCalls.first)
        call.factory.doStart()
        call.factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError()))
        call.factory.clientConnectionLost(call.connector, reason: Failure(ConnectionDone()))
        call.factory.doStop()
        #expect(factory.events == ["start", "stop"])
        #expect(factory.numberOfUsers == 0)
        connecting.swallow()
    }

    @Test func aReconnectingClientFactoryDoesNotReconnectThroughAnEndpoint() throws {
        let factory = ReconnectingClientFactory(clock: reactor)
        let connecting = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 7).connect(factory)
        let call = try #require(reactor.connectCalls.first)
        call.factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError()))
        #expect(call.connector.connectCount == 0)
        #expect(reactor.pendingCalls.isEmpty)
        connecting.swallow()
    }

    @Test func aHalfCloseableApplicationProtocolHearsHalfCloses() throws {
        let connecting = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 7).connect(Factory { HalfCloseRecorder() })
        let recorded = try #require(reactor.connectCalls.first).factory
        let built = try #require(connectRecorded(recorded))
        let halfCloseable = try #require(built as? any HalfCloseableProtocol)
        try halfCloseable.readConnectionLost()
        try halfCloseable.writeConnectionLost()
        let app = try #require(connecting.successValue as? HalfCloseRecorder)
        #expect(app.events == ["readConnectionLost", "writeConnectionLost"])

        _ = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 7).connect(Factory { RecordingProtocol() })
        let recordedPlain = try #require(reactor.connectCalls.last).factory
        let plain = try #require(connectRecorded(recordedPlain))
        #expect(!(plain is any HalfCloseableProtocol))
    }

    @Test func connectProtocolFiresWithTheSameInstance() throws {
        let mine = RecordingProtocol()
        let connecting = connectProtocol(UNIXClientEndpoint(reactor: reactor, path: "/s"), mine)
        let recorded = try #require(reactor.unixConnectCalls.first).factory
        #expect(!connecting.hasFired)
        _ = connectRecorded(recorded)
        #expect(connecting.successValue === mine)
        #expect(mine.events == ["made"])
    }

    @Test func connectProtocolsDeferredIsTheEndpointsOwnSoCancellingItStopsTheAttempt() throws {
        let connecting = connectProtocol(TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 9), RecordingProtocol())
        connecting.cancel()
        let call = try #require(reactor.connectCalls.first)
        #expect(call.connector.wasStopped)
        #expect(connecting.failure?.check(ConnectingCancelledError.self) != nil)
        connecting.swallow()
    }

    @Test func endpointsFromStringsConnectThroughTheSameMachinery() throws {
        let endpoint = try clientFromString(reactor, "tcp:127.0.0.1:80")
        let connecting = endpoint.connect(Factory { RecordingProtocol() })
        let recorded = try #require(reactor.connectCalls.first).factory
        _ = connectRecorded(recorded)
        #expect(connecting.successValue is RecordingProtocol)
    }
}
