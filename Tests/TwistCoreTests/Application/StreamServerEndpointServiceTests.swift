import Testing
import TwistCore
import TwistTesting

/// A server endpoint whose listen the test completes by hand, counting the listens.
final class ManualServerEndpoint: ServerEndpoint {
    var listens: [Deferred<any ListeningPort>] = []
    var description: String { "manual:" }
    func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        let listening = Deferred<any ListeningPort>()
        listens.append(listening)
        return listening
    }
}

/// A port whose stop the test completes by hand.
final class ManualListeningPort: ListeningPort {
    var address: Address { .ip(IPAddress(.ipv4, host: "127.0.0.1", port: 8080)) }
    var stops: [Deferred<Void>] = []
    func stopListening() -> Deferred<Void> {
        let stopped = Deferred<Void>()
        stops.append(stopped)
        return stopped
    }
}

/// Spec §4 items 45–46, on a hand-driven endpoint and on MemoryReactor's real endpoint strings.
@Suite struct StreamServerEndpointServiceTests {
    let endpoint = ManualServerEndpoint()
    let factory = Factory { Protocol() }

    @Test func privilegedStartListensAndStartDoesNotListenAgain() throws {
        let service = StreamServerEndpointService(endpoint: endpoint, factory: factory)
        try service.privilegedStartService()
        #expect(endpoint.listens.count == 1)
        #expect(!service.isRunning)
        try service.startService()
        #expect(endpoint.listens.count == 1)
        #expect(service.isRunning)
    }

    @Test func startAloneListensAndKnowsThePortOnceItArrives() throws {
        var announced: [any ListeningPort] = []
        let service = StreamServerEndpointService(endpoint: endpoint, factory: factory) { announced.append($0) }
        try service.startService()
        #expect(endpoint.listens.count == 1 && service.port == nil && announced.isEmpty)
        let port = ManualListeningPort()
        try endpoint.listens[0].callback(port)
        #expect(service.port === port)
        #expect(announced.count == 1 && announced[0] === port)
    }

    @Test func aListenThatFailsAtOnceMakesTheStartThrowAndTheServiceStopped() throws {
        let service = StreamServerEndpointService(endpoint: FailingEndpoint(), factory: factory)
        #expect(throws: CannotListenError.self) { try service.startService() }
        #expect(!service.isRunning)
    }

    @Test func aListenThatFailsLaterIsLogged() throws {
        let capture = LogCapture()
        let service = StreamServerEndpointService(endpoint: endpoint, factory: factory, logger: capture.logger())
        try service.startService()
        try endpoint.listens[0].errback(CannotListenError(interface: "127.0.0.1", port: 1, "in use"))
        #expect(capture.records.contains { $0.level == .error && $0.message.contains("could not listen on manual:") })
        #expect(service.port == nil)
        // Restart after stopping listens again.
        _ = service.stopService()
        try service.startService()
        #expect(endpoint.listens.count == 2)
    }

    @Test func stopClosesThePortAndMarksStoppedOnlyWhenItHasClosed() throws {
        let service = StreamServerEndpointService(endpoint: endpoint, factory: factory)
        try service.startService()
        let port = ManualListeningPort()
        try endpoint.listens[0].callback(port)
        let stopped = try #require(service.stopService())
        #expect(port.stops.count == 1)
        #expect(service.isRunning && !stopped.hasFired)
        try port.stops[0].callback(())
        #expect(!service.isRunning && stopped.hasFired && service.port == nil)
    }

    @Test func stopWhileTheListenIsUnderWayCancelsItQuietly() throws {
        let capture = LogCapture()
        let service = StreamServerEndpointService(endpoint: endpoint, factory: factory, logger: capture.logger())
        try service.startService()
        let stopped = try #require(service.stopService())
        #expect(stopped.hasFired && !service.isRunning)
        #expect(endpoint.listens[0].hasFired)  // cancelled: CancelledError, handled
        #expect(capture.records.isEmpty)
    }

    @Test func aRestartAfterACancelledListenWaitsForItsOwnPort() throws {
        let service = StreamServerEndpointService(endpoint: endpoint, factory: factory)
        try service.startService()
        _ = service.stopService()  // cancels the first listen
        try service.startService()
        #expect(endpoint.listens.count == 2)
        let port = ManualListeningPort()
        try endpoint.listens[1].callback(port)
        #expect(service.port === port && service.isRunning)
    }

    @Test func stopBeforeStartHasNothingToWaitFor() {
        let service = StreamServerEndpointService(endpoint: endpoint, factory: factory)
        #expect(service.stopService() == nil)
    }

    @Test func aDescriptionStringMakesTheEndpoint() throws {
        let reactor = MemoryReactor()
        let service = try StreamServerEndpointService("tcp:8080:interface=127.0.0.1", reactor: reactor, factory: factory, name: "web")
        try service.startService()
        #expect(reactor.listenCalls.map(\.port) == [8080])
        #expect(reactor.listenCalls.first?.factory === factory)
        #expect(throws: EndpointDescriptionError.self) {
            try StreamServerEndpointService("tcp:notaport", reactor: reactor, factory: factory)
        }
    }
}

/// An endpoint that cannot listen, and says so at once (as a port in use does).
final class FailingEndpoint: ServerEndpoint {
    var description: String { "failing:" }
    func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        fail(CannotListenError(interface: "127.0.0.1", port: 1, "in use"))
    }
}

