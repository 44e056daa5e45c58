import Foundation
import Glibc
import Testing
import Twist
import TwistTestSupport

/// One port served by every reactor of a group, with both strategies, over real sockets.
@Suite(.timeLimit(.minutes(2))) struct ReactorGroupListeningTests {
    static let strategies: [GroupListeningStrategy] = [.handOff, .reusePort]

    @Test(arguments: strategies)
    func connectionsLandOnEveryReactorAndRunOnItsThread(strategy: GroupListeningStrategy) async throws {
        let group = ReactorGroup(count: 2)
        let stats = Shared(GroupServerStats(reactors: 2))
        let port = try group.listenTCP(
            0, interface: "127.0.0.1", strategy: strategy, factory: GroupEchoFactory.maker(for: group, stats: stats))
        let timedOut = try startGroup(group)
        let clients = Shared(ClientRun())
        let clientsDone = await runReactor { reactor in
            connectClients(reactor, to: port.address, total: 64, concurrency: 64, keepOpen: false, run: clients) {
                try reactor.stop()
            }
        }
        #expect(clientsDone)
        #expect(clients.value.finished == 64 && clients.value.failures.isEmpty, "\(clients.value.failures)")
        #expect(await stopGroup(group))
        #expect(!timedOut.value)
        let seen = stats.value
        #expect(seen.served.reduce(0, +) == 64)
        #expect(seen.served.allSatisfy { $0 > 0 }, "served per reactor: \(seen.served)")
        if strategy == .handOff { #expect(seen.served == [32, 32]) }
        #expect(seen.wrongThread == 0)
        #expect(seen.factoriesBuilt == [1, 1])
        #expect(seen.factoryStarts == 2 && seen.factoryStops == 2)
        #expect(seen.live == 0)
        #expect(!port.isListening)
    }

    @Test(arguments: strategies)
    func listeningOnARunningGroupBuildsEachFactoryOnItsReactor(strategy: GroupListeningStrategy) async throws {
        let group = ReactorGroup(count: 3)
        let stats = Shared(GroupServerStats(reactors: 3))
        let timedOut = try startGroup(group)
        // Blocks until every reactor opened its share: off the cooperative pool.
        let port = try await onOwnThread {
            Result {
                try group.listenTCP(
                    0, interface: "127.0.0.1", strategy: strategy,
                    factory: GroupEchoFactory.maker(for: group, stats: stats))
            }
        }.get()
        #expect(stats.value.factoriesBuilt == [1, 1, 1])
        #expect(stats.value.factoriesOnWrongThread == 0)
        #expect(stats.value.factoryStarts == 3)
        let clients = Shared(ClientRun())
        let clientsDone = await runReactor { reactor in
            connectClients(reactor, to: port.address, total: 60, concurrency: 20, keepOpen: false, run: clients) {
                try reactor.stop()
            }
        }
        #expect(clientsDone)
        #expect(clients.value.failures.isEmpty, "\(clients.value.failures)")
        if strategy == .handOff { #expect(stats.value.served == [20, 20, 20]) }
        #expect(stats.value.served.reduce(0, +) == 60)
        #expect(stats.value.wrongThread == 0)
        await port.stopListening()
        #expect(!port.isListening)
        #expect(stats.value.factoryStops == 3)
        #expect(await stopGroup(group))
        #expect(!timedOut.value)
    }

    @Test(arguments: strategies)
    func stopListeningClosesEveryListenerAndKeepsConnections(strategy: GroupListeningStrategy) async throws {
        let group = ReactorGroup(count: 2)
        let stats = Shared(GroupServerStats(reactors: 2))
        let port = try group.listenTCP(
            0, interface: "127.0.0.1", strategy: strategy, factory: GroupEchoFactory.maker(for: group, stats: stats))
        let timedOut = try startGroup(group)
        let clients = Shared(ClientRun())
        let portNumber = port.address.port!
        let rebound = Shared<String>("")
        let clientsDone = await runReactor { reactor in
            connectClients(reactor, to: port.address, total: 8, concurrency: 8, keepOpen: true, run: clients) {
                // Every client is connected and echoed; now stop the group's port.
                port.stopListening {
                    reactor.callFromThread {
                        // No listener is left on the port: a plain listener (no SO_REUSEPORT) can bind it.
                        do {
                            let again = try reactor.listenTCP(portNumber, Factory { nil }, interface: "127.0.0.1")
                            again.stopListening()
                            rebound.value = "bound"
                        } catch {
                            rebound.value = "\(error)"
                        }
                        // The connections outlive the port.
                        reactor.callLater(0.1) { try reactor.stop() }
                    }
                }
            }
        }
        #expect(clientsDone)
        #expect(rebound.value == "bound")
        #expect(clients.value.failures.isEmpty, "\(clients.value.failures)")
        #expect(clients.value.lostReasons == ["ConnectionLost"], "the client reactor's shutdown closed them, not the server")
        #expect(stats.value.factoryStops == 2)
        #expect(await stopGroup(group))
        #expect(!timedOut.value)
    }

    @Test(arguments: strategies)
    func stoppingTheGroupClosesEveryPortAndConnection(strategy: GroupListeningStrategy) async throws {
        let group = ReactorGroup(count: 2)
        let stats = Shared(GroupServerStats(reactors: 2))
        let port = try group.listenTCP(
            0, interface: "127.0.0.1", strategy: strategy, factory: GroupEchoFactory.maker(for: group, stats: stats))
        let timedOut = try startGroup(group)
        let clients = Shared(ClientRun())
        let clientsDone = await runReactor { reactor in
            connectClients(reactor, to: port.address, total: 16, concurrency: 16, keepOpen: true, run: clients) {
                // Every client holds an open connection: stop the server group from outside.
                DetachedStop.run(group) {
                    reactor.callFromThread { reactor.callLater(0.05) { try reactor.stop() } }
                }
            }
        }
        #expect(clientsDone)
        #expect(group.isStopped)
        #expect(!timedOut.value)
        #expect(clients.value.finished == 16)
        #expect(clients.value.lost == 16, "every connection was closed by the server group's shutdown")
        #expect(clients.value.lostReasons.isSubset(of: ["ConnectionDone", "ConnectionLost"]))
        #expect(!port.isListening)
        #expect(stats.value.live == 0)
        #expect(stats.value.factoryStops == 2)
    }

    @Test(arguments: strategies)
    func aBusyAddressFailsAndLeavesNothingOpen(strategy: GroupListeningStrategy) async throws {
        // A plain listener holds the port: with or without SO_REUSEPORT, the group cannot bind it.
        let holder = Reactor()
        let taken = try holder.listenTCP(0, Factory { nil }, interface: "127.0.0.1")
        let group = ReactorGroup(count: 2)
        let stats = Shared(GroupServerStats(reactors: 2))
        #expect(throws: CannotListenError.self) {
            try group.listenTCP(
                taken.address.port!, interface: "127.0.0.1", strategy: strategy,
                factory: GroupEchoFactory.maker(for: group, stats: stats))
        }
        // Whatever was built before the failure was stopped again.
        #expect(stats.value.factoryStarts == stats.value.factoryStops)
        taken.stopListening()
        await group.stop()
    }

    @Test func unixSocketHandsOffToEveryReactor() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twist-group-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock").path
        let group = ReactorGroup(count: 2)
        let stats = Shared(GroupServerStats(reactors: 2))
        let port = try group.listenUNIX(path, factory: GroupEchoFactory.maker(for: group, stats: stats))
        #expect(port.strategy == .handOff)
        let timedOut = try startGroup(group)
        let clients = Shared(ClientRun())
        let clientsDone = await runReactor { reactor in
            connectClients(reactor, to: port.address, unixPath: path, total: 10, concurrency: 10, keepOpen: false, run: clients) {
                try reactor.stop()
            }
        }
        #expect(clientsDone)
        #expect(clients.value.failures.isEmpty, "\(clients.value.failures)")
        #expect(stats.value.served == [5, 5])
        #expect(stats.value.wrongThread == 0)
        await port.stopListening()
        #expect(!FileManager.default.fileExists(atPath: path), "the socket file is removed with the port")
        #expect(await stopGroup(group))
        #expect(!timedOut.value)
    }

    @Test func strategyNames() {
        #expect(GroupListeningStrategy("reuseport") == .reusePort)
        #expect(GroupListeningStrategy("HandOff") == .handOff)
        #expect(GroupListeningStrategy("round-robin") == nil)
        #expect("\(GroupListeningStrategy.reusePort)" == "reuseport")
    }
}

/// Stops a group from a thread of its own (the blocking `stop()` must not run on a reactor
/// thread), then calls `then`.
enum DetachedStop {
    static func run(_ group: ReactorGroup, then: @escaping @Sendable () -> Void) {
        let thread = Thread {
            group.stop()
            then()
        }
        thread.start()
    }
}
