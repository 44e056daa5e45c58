import Poetry
import Testing
import Twist
import TwistTesting

/// The caching proxy's service and protocol, with MemoryReactor for the upstream side.
@Suite struct PoetryProxyTests {
    let reactor = MemoryReactor()
    let lines = Recorder()
    let log = LogCapture()

    func makeService() -> PoetryProxyService {
        PoetryProxyService(reactor, upstream: PoetryAddress(port: 10000), output: lines.output)
    }

    /// Connects the `index`th upstream connection and returns its protocol and transport.
    func upstream(_ index: Int) throws -> (Protocol, StringTransport) {
        let call = reactor.connectCalls[index]
        let client = try #require(call.factory.buildProtocol(address: call.connector.destination))
        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(client)
        return (client, transport)
    }

    /// Connects a proxy client to `factory`.
    func client(of factory: PoetryProxyFactory) throws -> StringTransport {
        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(try #require(factory.buildProtocol(address: transport.peer)))
        return transport
    }

    @Test func theFirstRequestFetchesAndTheSecondUsesTheCache() throws {
        let service = makeService()
        let first = service.poem()
        #expect(lines.out == ["Fetching poem from server.\n"])
        let (server, transport) = try upstream(0)
        try server.dataReceived(Array("poem".utf8)[...])
        transport.loseConnection()
        #expect(try first.currentResult?.get() == Array("poem".utf8))
        #expect(service.cachedPoem == Array("poem".utf8))

        let second = service.poem()
        #expect(try second.currentResult?.get() == Array("poem".utf8))  // fired already: succeed(cached)
        #expect(reactor.connectCalls.count == 1)
        #expect(lines.out == ["Fetching poem from server.\n", "Using cached poem.\n"])
    }

    @Test func aFailedDownloadIsNotCachedAndTheNextRequestTriesAgain() throws {
        let service = makeService()
        let first = service.poem().addErrback { _ in [] }
        let call = reactor.connectCalls[0]
        call.factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError()))
        #expect(try first.currentResult?.get() == [])
        #expect(service.cachedPoem == nil)
        _ = service.poem()
        #expect(reactor.connectCalls.count == 2)
        #expect(lines.out == ["Fetching poem from server.\n", "Fetching poem from server.\n"])
    }

    @Test func aClientGetsThePoemThenTheConnectionCloses() throws {
        let factory = PoetryProxyFactory(service: makeService(), output: lines.output, logger: log.logger())
        let waiting = try client(of: factory)
        let (server, transport) = try upstream(0)
        try server.dataReceived(Array("Much have I travell'd".utf8)[...])
        #expect(waiting.value.isEmpty)
        transport.loseConnection()
        #expect(waiting.valueString == "Much have I travell'd")
        let cached = try client(of: factory)
        #expect(cached.valueString == "Much have I travell'd")  // written before connectionMade returned
        #expect(reactor.connectCalls.count == 1)
        #expect(log.records.isEmpty)
    }

    @Test func aClientThatLeavesEarlyCancelsTheUpstreamDownload() throws {
        let service = makeService()
        let factory = PoetryProxyFactory(service: service, output: lines.output, logger: log.logger())
        let leaving = try client(of: factory)
        let (server, transport) = try upstream(0)
        leaving.loseConnection()
        #expect(lines.out == ["Fetching poem from server.\n", "Canceling poem download.\n"])
        #expect(reactor.connectCalls[0].connector.wasStopped)
        try server.dataReceived(Array("too late".utf8)[...])
        transport.loseConnection()
        #expect(service.cachedPoem == nil)
        #expect(log.records.isEmpty)  // a cancellation is not an error worth a line
    }

    @Test func anUpstreamThatIsDownClosesTheClientWithNothingWrittenAndOneLogLine() throws {
        let factory = PoetryProxyFactory(service: makeService(), output: lines.output, logger: log.logger())
        let waiting = try client(of: factory)
        let call = reactor.connectCalls[0]
        call.factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError()))
        #expect(waiting.value.isEmpty)
        #expect(waiting.isDisconnecting)
        #expect(log.records.count == 1)
        #expect(log.records.first?.message.contains("connection was refused") == true)
    }

    struct SourceBroken: Error {}

    @Test func aSourceThatThrowsIsCaughtByMaybeDeferred() throws {
        let factory = PoetryProxyFactory(source: { throw SourceBroken() }, output: lines.output, logger: log.logger())
        let refused = try client(of: factory)
        #expect(refused.value.isEmpty)
        #expect(refused.isDisconnecting)
        #expect(log.records.count == 1)
        #expect(log.records.first?.message.contains("SourceBroken") == true)
    }
}
