import Testing
import TwistCore
import TwistTesting

/// Echoes, and closes when it receives "bye".
final class MemoryEcho: Protocol {
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        transport?.write(data)
        if data.elementsEqual("bye".utf8) { transport?.loseConnection() }
    }
}

@Suite struct ConnectedPairTests {
    @Test func bytesMoveOnlyWhenPumpedAndACloseReachesBothEnds() throws {
        let server = MemoryEcho()
        let client = RecordingProtocol()
        let pair = ConnectedPair(server: server, client: client)
        #expect(client.events == ["made"])
        client.transport?.write("hi".utf8)
        #expect(client.received.isEmpty)
        try pair.flush()
        #expect(client.received == Array("hi".utf8))
        client.transport?.write("bye".utf8)
        try pair.flush()
        #expect(client.events == ["made", "data", "data", "lost"])
        #expect(client.lostReason?.check(ConnectionDone.self) != nil)
        #expect(!server.isConnected)
        client.transport?.write("late".utf8)  // ignored
        try pair.flush()
    }

    @Test func anAbortReachesTheAborterAsAbortedAndThePeerAsLost() throws {
        final class Quitter: Protocol {
            var reason: Failure?
            override func connectionMade() { transport?.abortConnection() }
            override func connectionLost(reason: Failure) { self.reason = reason }
        }
        let server = Quitter()
        let client = RecordingProtocol()
        let pair = ConnectedPair(server: server, client: client)
        try pair.flush()
        #expect(server.reason?.check(ConnectionAborted.self) != nil)
        #expect(client.lostReason?.check(ConnectionLost.self) != nil)
        #expect(client.lostReason?.check(ConnectionAborted.self) == nil)
    }

    @Test func anErrorFromDataReceivedLosesThatConnectionAndSurfaces() throws {
        struct Bad: Error {}
        final class Thrower: Protocol {
            var reason: Failure?
            override func dataReceived(_ data: ArraySlice<UInt8>) throws { throw Bad() }
            override func connectionLost(reason: Failure) { self.reason = reason }
        }
        let server = Thrower()
        let client = RecordingProtocol()
        let pair = ConnectedPair(server: server, client: client)
        client.transport?.write([1])
        #expect(throws: Bad.self) { try pair.flush() }
        #expect(server.reason?.check(Bad.self) != nil)
        #expect(client.lostReason?.check(ConnectionLost.self) != nil)
    }

    @Test func pumpingAdvancesTheClockSoDueCallsRun() throws {
        let clock = TestClock()
        var ran = false
        clock.callLater(0) { ran = true }
        let pair = ConnectedPair(server: MemoryEcho(), client: RecordingProtocol(), clock: clock)
        try pair.pump()
        #expect(ran)
    }
}

@Suite struct MemoryReactorTests {
    @Test func listenAndConnectAreRecordedWithTwistedsDefaults() throws {
        let reactor = MemoryReactor()
        let factory = Factory { MemoryEcho() }
        let port = try reactor.listenTCP(8080, factory)
        #expect(port.address == .ipv4("0.0.0.0", 8080))
        #expect(reactor.listenCalls.count == 1)
        #expect(reactor.listenCalls[0].backlog == 50)
        #expect(reactor.listenCalls[0].interface == "")
        #expect(reactor.listenCalls[0].factory === factory)

        final class Noting: ClientFactory {
            var started: [Address] = []
            override func startedConnecting(_ connector: any Connector) { started.append(connector.destination) }
        }
        let client = Noting()
        let connector = reactor.connectTCP("example.org", 80, client)
        #expect(client.started == [.hostname("example.org", port: 80)])
        #expect(connector.destination == .hostname("example.org", port: 80))
        #expect(reactor.connectCalls[0].timeout == 30)
        #expect(reactor.connectCalls[0].bindAddress == nil)
    }

    @Test func itsTimeIsATestClock() throws {
        let reactor = MemoryReactor()
        var ran = false
        reactor.callLater(5) { ran = true }
        try reactor.clock.advance(5)
        #expect(ran)
        #expect(reactor.seconds() == 5)
    }
}
