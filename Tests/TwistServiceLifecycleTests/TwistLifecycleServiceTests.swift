import Foundation
import Logging
import ServiceLifecycle
import Testing
import Twist
import TwistServiceLifecycle
import TwistTestSupport

/// A plain async service of another library: it waits for the graceful shutdown and records it.
private struct PlainAsyncService: ServiceLifecycle.Service {
    let journal: Shared<[String]>
    func run() async throws {
        journal.mutate { $0.append("plain running") }
        try await gracefulShutdown()
        journal.mutate { $0.append("plain shut down") }
    }
}

/// A Twist service that records its start and stop.
private final class JournalingService: TwistCore.Service {
    let journal: Shared<[String]>
    let failsToStart: Bool
    init(_ journal: Shared<[String]>, failsToStart: Bool = false) {
        self.journal = journal
        self.failsToStart = failsToStart
        super.init(name: "journaling")
    }
    override func startService() throws {
        if failsToStart { throw Refused() }
        try super.startService()
        journal.mutate { $0.append("twist started") }
    }
    override func stopService() -> Deferred<Void>? {
        _ = super.stopService()
        journal.mutate { $0.append("twist stopped") }
        return nil
    }
}

private struct Refused: Error, CustomStringConvertible { var description: String { "refused" } }

private let quiet = Logger(label: "twist.test") { _ in SwiftLogNoOpLogHandler() }

@Suite(.serialized, .timeLimit(.minutes(1))) struct TwistLifecycleServiceTests {
    @Test func aGracefulShutdownOfTheGroupStopsTheTwistServicesInOrderAndClosesThePort() async throws {
        let journal = Shared<[String]>([])
        let port = Shared<Int?>(nil)
        let twist = TwistLifecycleService(reactor: Reactor(logger: quiet)) { host in
            try host.addService(StreamServerEndpointService(
                "tcp:0:interface=127.0.0.1", reactor: host.reactor, factory: Factory { Protocol() }
            ) { port.value = $0.address.ip?.port })
            try host.addService(JournalingService(journal))
        }
        let group = ServiceGroup(
            services: [twist, PlainAsyncService(journal: journal)], gracefulShutdownSignals: [], logger: quiet
        )
        let running = Task { try await group.run() }
        // Wait (bounded) until both services are up.
        for _ in 0..<500 where port.value == nil || !journal.value.contains("plain running") {
            try await Task.sleep(for: .milliseconds(10))
        }
        let listening = try #require(port.value)
        #expect(connectOnceToLoopback(port: listening) == 0)
        await group.triggerGracefulShutdown()
        try await running.value
        // The group stops the services in reverse: the plain one, then Twist (whose host stops
        // its services in reverse: the journaling one before the port).
        #expect(journal.value == ["twist started", "plain running", "plain shut down", "twist stopped"]
            || journal.value == ["plain running", "twist started", "plain shut down", "twist stopped"])
        #expect(connectOnceToLoopback(port: listening) == ECONNREFUSED)
    }

    @Test func aTwistServiceThatFailsToStartEndsTheGroupWithItsError() async throws {
        let journal = Shared<[String]>([])
        let twist = TwistLifecycleService(reactor: Reactor(logger: quiet)) { host in
            try host.addService(JournalingService(journal, failsToStart: true))
        }
        let group = ServiceGroup(
            services: [twist, PlainAsyncService(journal: journal)], gracefulShutdownSignals: [], logger: quiet
        )
        let error = await #expect(throws: ServiceHostError.self) { try await group.run() }
        #expect(error?.description == "JournalingService \"journaling\" failed to start: refused")
    }

    @Test func cancellingTheTaskStopsTheReactorAtOnce() async throws {
        let started = Shared(false)
        let twist = TwistLifecycleService(reactor: Reactor(logger: quiet)) { host in
            host.reactor.callWhenRunning { started.value = true }
        }
        let running = Task { try await twist.run() }
        for _ in 0..<500 where !started.value { try await Task.sleep(for: .milliseconds(10)) }
        #expect(started.value)
        running.cancel()
        await #expect(throws: CancellationError.self) { try await running.value }
    }
}
