import Poetry
import Testing
import Twist
import TwistTesting

/// The poetry client factory and the transform proxy, with MemoryReactor: connections are made by
/// hand from what the code under test asked the reactor for.
@Suite struct PoetryClientTests {
    /// Connects the protocol of the `index`th recorded `connectTCP` to a StringTransport that
    /// delivers `connectionLost` when closed.
    func accept(_ reactor: MemoryReactor, _ index: Int = 0) throws -> (Protocol, StringTransport) {
        let call = reactor.connectCalls[index]
        let client = try #require(call.factory.buildProtocol(address: call.connector.destination))
        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(client)
        return (client, transport)
    }

    @Test func thePoemIsEverythingReceivedWhenTheConnectionEnds() throws {
        let reactor = MemoryReactor()
        let poem = downloadPoem(reactor, host: "127.0.0.1", port: 10000)
        #expect(reactor.connectCalls.map { "\($0.host):\($0.port)" } == ["127.0.0.1:10000"])
        let (client, transport) = try accept(reactor)
        try client.dataReceived(Array("Tyger ".utf8)[...])
        try client.dataReceived(Array("Tyger".utf8)[...])
        #expect(!poem.hasFired)
        transport.loseConnection()
        #expect(try poem.currentResult?.get() == Array("Tyger Tyger".utf8))
    }

    @Test func aConnectionLostMidPoemStillGivesTheTruncatedPoem() throws {
        let reactor = MemoryReactor()
        let poem = getPoetry(reactor, PoetryAddress(port: 10000))
        let (client, _) = try accept(reactor)
        try client.dataReceived(Array("Über allen".utf8)[...])
        client.deliverConnectionLost(reason: Failure(ConnectionLost()))
        #expect(try poem.currentResult?.get() == "Über allen")
    }

    @Test func aFailedConnectFailsThePoemOnce() throws {
        let reactor = MemoryReactor()
        let poem = downloadPoem(reactor, host: "127.0.0.1", port: 1)
        let call = reactor.connectCalls[0]
        let factory = try #require(call.factory as? PoetryClientFactory)
        factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError()))
        factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError()))  // ignored
        let failure = try #require(poem.addErrback { failure -> [UInt8] in
            #expect(failure.check(ConnectionRefusedError.self) != nil)
            return []
        }.currentResult)
        #expect(try failure.get() == [])
    }

    @Test func cancellingTheDownloadStopsTheConnectorAndIgnoresLateBytes() throws {
        let reactor = MemoryReactor()
        let poem = downloadPoem(reactor, host: "127.0.0.1", port: 10000)
        let (client, transport) = try accept(reactor)
        poem.cancel()
        #expect(reactor.connectCalls[0].connector.wasStopped)
        try client.dataReceived(Array("late".utf8)[...])
        transport.loseConnection()
        let caught = poem.addErrback { failure -> [UInt8] in
            #expect(failure.check(CancelledError.self) != nil)
            return Array("cancelled".utf8)
        }
        #expect(try caught.currentResult?.get() == Array("cancelled".utf8))
    }

    @Test func xformSendsOneNetstringRequestAndFiresWithTheReply() throws {
        let reactor = MemoryReactor()
        let proxy = TransformProxy(reactor, PoetryAddress(port: 10001))
        let transformed = proxy.xform("cummingsify", "HERE IS MY POEM")
        let (client, transport) = try accept(reactor)
        #expect(transport.valueString == "27:cummingsify.HERE IS MY POEM,")
        try client.dataReceived(Array("15:here is my".utf8)[...])
        #expect(!transformed.hasFired)
        try client.dataReceived(Array(" poem,".utf8)[...])
        #expect(transport.isDisconnecting)
        #expect(try transformed.currentResult?.get() == "here is my poem")
    }

    @Test func aServerThatClosesWithoutReplyingFailsTheTransform() throws {
        let reactor = MemoryReactor()
        let transformed = TransformProxy(reactor, PoetryAddress(port: 10001)).xform("unknown", "x")
        let (client, transport) = try accept(reactor)
        withExtendedLifetime(client) { transport.loseConnection() }  // the transport holds its protocol weakly
        let name = transformed.addCallbacks({ _ in "" }, { failure in failure.check(TransformRefused.self)?.name ?? "other" })
        #expect(try name.currentResult?.get() == "unknown")
    }

    @Test func aTransformServerThatIsDownFailsTheTransform() throws {
        let reactor = MemoryReactor()
        let transformed = TransformProxy(reactor, PoetryAddress(port: 10001)).xform("cummingsify", "x")
        let call = reactor.connectCalls[0]
        call.factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError()))
        let refused = transformed.addCallbacks({ _ in false }, { $0.check(ConnectionRefusedError.self) != nil })
        #expect(try refused.currentResult?.get() == true)
    }

    @Test func aReplyThatIsNotUTF8FailsTheTransform() throws {
        let reactor = MemoryReactor()
        let transformed = TransformProxy(reactor, PoetryAddress(port: 10001)).xform("cummingsify", "x")
        let (client, _) = try accept(reactor)
        try client.dataReceived(netstring([0xFF])[...])
        let notUTF8 = transformed.addCallbacks({ _ in false }, { $0.check(TransformRequestError.self) == .notUTF8 })
        #expect(try notUTF8.currentResult?.get() == true)
    }

    @Test func aSecondReplyInTheSamePacketIsIgnored() throws {
        let reactor = MemoryReactor()
        let transformed = TransformProxy(reactor, PoetryAddress(port: 10001)).xform("cummingsify", "A")
        let (client, _) = try accept(reactor)
        try client.dataReceived((netstring("a") + netstring("b"))[...])
        #expect(try transformed.currentResult?.get() == "a")
    }
}
