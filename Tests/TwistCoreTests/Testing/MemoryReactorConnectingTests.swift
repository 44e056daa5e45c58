import Testing
import TwistCore
import TwistTesting

/// A protocol that records what happens to it, and echoes when asked to.
private final class Recorder: Protocol {
    let name: String
    let echoes: Bool
    var received: [UInt8] = []
    var lostReason: Failure?
    var greeting: [UInt8]?
    var throwOnData: (any Error)?

    init(_ name: String, log: EventLog, echoes: Bool = false, greeting: String? = nil) {
        self.name = name
        self.echoes = echoes
        self.greeting = greeting.map { Array($0.utf8) }
        self.log = log
    }

    let log: EventLog

    override func connectionMade() {
        log.entries.append("\(name) connectionMade")
        if let greeting { transport?.write(greeting[...]) }
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if let throwOnData { throw throwOnData }
        received.append(contentsOf: data)
        if echoes { transport?.write(data) }
    }

    override func connectionLost(reason: Failure) {
        lostReason = reason
        log.entries.append("\(name) connectionLost \(type(of: reason.error))")
    }
}

/// The order of events across protocols and factories.
private final class EventLog {
    var entries: [String] = []
}

/// A client factory that records what it hears.
private final class RecordingClientFactory: ClientFactory {
    let log: EventLog
    let makes: () -> Protocol?
    var failed: Failure?
    var lost: Failure?

    init(log: EventLog, _ makes: @escaping () -> Protocol?) {
        self.log = log
        self.makes = makes
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        log.entries.append("client buildProtocol \(address)")
        return makes()
    }

    override func startedConnecting(_ connector: any Connector) { log.entries.append("startedConnecting") }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        failed = reason
        log.entries.append("clientConnectionFailed \(type(of: reason.error))")
    }

    override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        lost = reason
        log.entries.append("clientConnectionLost \(type(of: reason.error))")
    }
}

/// Issue 19 item 6: MemoryReactor connects a client factory to a listening factory in memory.
@Suite("MemoryReactor connects clients to its listening ports")
struct MemoryReactorConnectingTests {
    @Test func aClientReachesAListeningFactoryAndBytesMoveWhenFlushed() throws {
        let reactor = MemoryReactor()
        let log = EventLog()
        var server: Recorder?
        _ = try reactor.listenTCP(8080, Factory { () -> Protocol in
            let made = Recorder("server", log: log, echoes: true)
            server = made
            return made
        })
        var client: Recorder?
        let factory = RecordingClientFactory(log: log) {
            let made = Recorder("client", log: log, greeting: "hello")
            client = made
            return made
        }
        reactor.connectTCP("127.0.0.1", 8080, factory)
        // Not inside the call: a real reactor connects on a later pass.
        #expect(log.entries == ["startedConnecting"])
        #expect(reactor.connections.isEmpty)
        #expect(reactor.connectCalls.count == 1)

        try reactor.clock.advance(0)
        #expect(reactor.connections.count == 1)
        #expect(log.entries == [
            "startedConnecting", "client buildProtocol 127.0.0.1:8000", "server connectionMade", "client connectionMade",
        ])
        #expect(client?.received == [])

        try reactor.flush()
        #expect(server?.received == Array("hello".utf8))
        #expect(client?.received == Array("hello".utf8))
        let connection = try #require(reactor.connections.first)
        #expect(connection.client === client)
        #expect(connection.server === server)
        #expect(connection.host == "127.0.0.1" && connection.port == 8080)
        #expect(!connection.isClosed)
        #expect(connection.pair.serverTransport.peer == connection.pair.clientTransport.host)
    }

    @Test func theServerFactoryIsGivenTheClientEndsAddress() throws {
        let reactor = MemoryReactor()
        final class AddressFactory: Factory {
            var seen: Address?
            override func buildProtocol(address: Address) -> Protocol? {
                seen = address
                return Protocol()
            }
        }
        let serverFactory = AddressFactory()
        let clientFactory = RecordingClientFactory(log: EventLog()) { Protocol() }
        _ = try reactor.listenTCP(1234, serverFactory)
        reactor.connectTCP("localhost", 1234, clientFactory)
        try reactor.flush()
        let pair = try #require(reactor.connections.first?.pair)
        #expect(serverFactory.seen == pair.serverTransport.peer)
    }

    @Test func aConnectToNowhereIsOnlyRecorded() throws {
        let reactor = MemoryReactor()
        let log = EventLog()
        _ = try reactor.listenTCP(80, Factory { Protocol() })
        reactor.connectTCP("127.0.0.1", 81, RecordingClientFactory(log: log) { Protocol() })
        #expect(reactor.pendingCalls.isEmpty)
        try reactor.flush()
        try reactor.clock.advance(100)
        #expect(reactor.connections.isEmpty)
        #expect(log.entries == ["startedConnecting"])
        #expect(reactor.connectCalls.count == 1)
    }

    @Test func aListenerOnOneInterfaceIsReachedOnlyThere() throws {
        let reactor = MemoryReactor()
        _ = try reactor.listenTCP(80, Factory { Protocol() }, interface: "127.0.0.1")
        reactor.connectTCP("10.0.0.1", 80, RecordingClientFactory(log: EventLog()) { Protocol() })
        try reactor.flush()
        #expect(reactor.connections.isEmpty)
        reactor.connectTCP("127.0.0.1", 80, RecordingClientFactory(log: EventLog()) { Protocol() })
        try reactor.flush()
        #expect(reactor.connections.count == 1)
    }

    @Test func aPortThatStopsListeningBeforeTheConnectCompletesRefusesIt() throws {
        let reactor = MemoryReactor()
        let log = EventLog()
        let port = try reactor.listenTCP(80, Factory { Protocol() })
        let factory = RecordingClientFactory(log: log) { Protocol() }
        reactor.connectTCP("127.0.0.1", 80, factory)
        port.stopListening()
        try reactor.flush()
        #expect(factory.failed?.check(ConnectionRefusedError.self) != nil)
        #expect(reactor.connections.isEmpty)
        // Once stopped, the port is nowhere: a later connect is only recorded.
        reactor.connectTCP("127.0.0.1", 80, factory)
        #expect(reactor.pendingCalls.isEmpty)
    }

    @Test func stopConnectingBeforeTheConnectCompletesFailsItWithUserError() throws {
        let reactor = MemoryReactor()
        var built = 0
        _ = try reactor.listenTCP(80, Factory { () -> Protocol in
            built += 1
            return Protocol()
        })
        let factory = RecordingClientFactory(log: EventLog()) { Protocol() }
        let connector = reactor.connectTCP("127.0.0.1", 80, factory)
        try connector.stopConnecting()
        try reactor.flush()
        #expect(factory.failed?.check(UserError.self) != nil)
        #expect(built == 0)
        #expect(reactor.connections.isEmpty)
    }

    @Test func aFactoryThatBuildsNoProtocolFailsTheConnect() throws {
        let reactor = MemoryReactor()
        _ = try reactor.listenTCP(80, Factory { nil })
        let refused = RecordingClientFactory(log: EventLog()) { Protocol() }
        reactor.connectTCP("127.0.0.1", 80, refused)
        try reactor.flush()
        #expect(refused.failed?.check(ConnectionRefusedError.self) != nil)

        _ = try reactor.listenTCP(81, Factory { Protocol() })
        let empty = RecordingClientFactory(log: EventLog()) { nil }
        reactor.connectTCP("127.0.0.1", 81, empty)
        try reactor.flush()
        #expect(empty.failed?.check(NoProtocol.self) != nil)
        #expect(reactor.connections.isEmpty)
    }

    @Test func aCleanCloseReachesBothProtocolsThenTheClientFactory() throws {
        let reactor = MemoryReactor()
        let log = EventLog()
        var server: Recorder?
        _ = try reactor.listenTCP(80, Factory { () -> Protocol in
            let made = Recorder("server", log: log)
            server = made
            return made
        })
        let factory = RecordingClientFactory(log: log) { Recorder("client", log: log) }
        reactor.connectTCP("127.0.0.1", 80, factory)
        try reactor.flush()
        log.entries.removeAll()
        server?.transport?.loseConnection()
        try reactor.flush()
        #expect(log.entries == [
            "server connectionLost ConnectionDone", "client connectionLost ConnectionDone",
            "clientConnectionLost ConnectionDone",
        ])
        #expect(reactor.connections.first?.isClosed == true)
        #expect(reactor.openConnections.isEmpty)
    }

    @Test func anAbortByTheClientIsReportedToItsFactoryAsAborted() throws {
        let reactor = MemoryReactor()
        let log = EventLog()
        _ = try reactor.listenTCP(80, Factory { Recorder("server", log: log) })
        var client: Recorder?
        let factory = RecordingClientFactory(log: log) { () -> Protocol? in
            let made = Recorder("client", log: log)
            client = made
            return made
        }
        reactor.connectTCP("127.0.0.1", 80, factory)
        try reactor.flush()
        client?.transport?.abortConnection()
        try reactor.flush()
        #expect(client?.lostReason?.check(ConnectionAborted.self) != nil)
        #expect(factory.lost?.check(ConnectionAborted.self) != nil)
        #expect(log.entries.contains("server connectionLost ConnectionLost"))
    }

    @Test func disconnectOnTheConnectorClosesAnOpenConnection() throws {
        let reactor = MemoryReactor()
        let log = EventLog()
        _ = try reactor.listenTCP(80, Factory { Recorder("server", log: log) })
        let factory = RecordingClientFactory(log: log) { Recorder("client", log: log) }
        let connector = reactor.connectTCP("127.0.0.1", 80, factory)
        try reactor.flush()
        connector.disconnect()
        try reactor.flush()
        #expect(factory.lost?.check(ConnectionDone.self) != nil)
        #expect(reactor.openConnections.isEmpty)
    }

    @Test func badInputClosesOnlyItsConnection() throws {
        let reactor = MemoryReactor()
        let log = EventLog()
        var servers: [Recorder] = []
        _ = try reactor.listenTCP(80, Factory { () -> Protocol in
            let made = Recorder("server", log: log)
            if servers.isEmpty { made.throwOnData = TestError(code: 99) }
            servers.append(made)
            return made
        })
        reactor.connectTCP("127.0.0.1", 80, RecordingClientFactory(log: log) { Recorder("bad", log: log, greeting: "junk") })
        reactor.connectTCP("127.0.0.1", 80, RecordingClientFactory(log: log) { Recorder("good", log: log, greeting: "ok") })
        #expect(throws: TestError(code: 99)) { try reactor.flush() }
        try reactor.flush()
        #expect(servers.count == 2)
        #expect(servers[0].lostReason?.check(TestError.self) == TestError(code: 99))
        #expect(reactor.connections[0].isClosed)
        #expect(!reactor.connections[1].isClosed)
        #expect(servers[1].received == Array("ok".utf8))
    }

    @Test func aReconnectingFactoryReconnectsThroughTheConnector() throws {
        let reactor = MemoryReactor()
        var servers: [Protocol] = []
        _ = try reactor.listenTCP(80, Factory { () -> Protocol in
            let made = Protocol()
            servers.append(made)
            return made
        })
        final class Reconnecting: ReconnectingClientFactory {
            override func buildProtocol(address: Address) -> Protocol? { Protocol() }
        }
        let factory = Reconnecting(clock: reactor.clock)
        factory.jitter = 0
        let connector = try #require(reactor.connectTCP("127.0.0.1", 80, factory) as? MemoryConnector)
        try reactor.flush()
        #expect(reactor.connections.count == 1)
        servers[0].transport?.loseConnection()
        try reactor.flush()
        #expect(reactor.openConnections.isEmpty)
        try reactor.clock.advance(factory.initialDelay)
        try reactor.flush()
        #expect(connector.connectCount == 1)
        #expect(reactor.connections.count == 2)
        #expect(reactor.openConnections.count == 1)
        factory.stopTrying()
    }
}
