import Foundation
import Glibc
import Twist
import TwistTestSupport

/// What a group's servers saw, across their threads.
struct GroupServerStats: Sendable {
    /// Connections made, per reactor index.
    var served: [Int]
    /// Callbacks that ran on a thread other than their reactor's.
    var wrongThread = 0
    /// Server protocols alive.
    var live = 0
    /// Factories built, per reactor index, and whether each was built on its reactor's thread
    /// (or, before the group runs, on no reactor's thread).
    var factoriesBuilt: [Int]
    var factoriesOnWrongThread = 0
    /// startFactory and stopFactory calls.
    var factoryStarts = 0
    var factoryStops = 0

    init(reactors: Int) {
        served = Array(repeating: 0, count: reactors)
        factoriesBuilt = Array(repeating: 0, count: reactors)
    }
}

/// Echoes; counts itself; checks each callback runs on `home`'s thread.
final class GroupEcho: Protocol {
    let home: Reactor
    let index: Int
    let stats: Shared<GroupServerStats>

    init(home: Reactor, index: Int, stats: Shared<GroupServerStats>) {
        self.home = home
        self.index = index
        self.stats = stats
        super.init()
        stats.mutate { $0.live += 1 }
    }

    deinit { stats.mutate { $0.live -= 1 } }

    private func checkThread() {
        if Reactor.current !== home { stats.mutate { $0.wrongThread += 1 } }
    }

    override func connectionMade() {
        checkThread()
        stats.mutate { $0.served[index] += 1 }
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        checkThread()
        transport?.write(data)
    }

    override func connectionLost(reason: Failure) {
        checkThread()
    }
}

/// The per-reactor factory of the tests: builds `GroupEcho`s for its reactor and counts its
/// start and stop.
final class GroupEchoFactory: Factory {
    let home: Reactor
    let index: Int
    let stats: Shared<GroupServerStats>

    init(home: Reactor, index: Int, stats: Shared<GroupServerStats>) {
        self.home = home
        self.index = index
        self.stats = stats
        super.init()
        noisy = false
    }

    override func buildProtocol(address: Address) -> Protocol? {
        if Reactor.current !== home { stats.mutate { $0.wrongThread += 1 } }
        let built = GroupEcho(home: home, index: index, stats: stats)
        built.factory = self
        return built
    }

    override func startFactory() { stats.mutate { $0.factoryStarts += 1 } }
    override func stopFactory() { stats.mutate { $0.factoryStops += 1 } }

    /// The factory-building closure for `group`: records where each factory was built.
    static func maker(for group: ReactorGroup, stats: Shared<GroupServerStats>) -> @Sendable (Reactor) -> Factory {
        { reactor in
            let index = group.reactors.firstIndex { $0 === reactor }!
            let current = Reactor.current
            stats.mutate {
                $0.factoriesBuilt[index] += 1
                if current != nil && current !== reactor { $0.factoriesOnWrongThread += 1 }
            }
            return GroupEchoFactory(home: reactor, index: index, stats: stats)
        }
    }
}

/// Starts `group` with a watchdog that stops it after `timeout` seconds; returns a flag the
/// watchdog sets.
func startGroup(_ group: ReactorGroup, timeout: Double = 30) throws -> Shared<Bool> {
    let timedOut = Shared(false)
    group.reactors[0].callLater(timeout) {
        timedOut.value = true
        group.requestStop()
    }
    try group.start()
    return timedOut
}

/// Stops `group` and waits at most `timeout` seconds for every thread; true when they all returned.
func stopGroup(_ group: ReactorGroup, timeout: Double = 10) async -> Bool {
    group.requestStop()
    return await eventually(within: timeout) { group.isStopped }
}

/// Polls `condition` every few milliseconds for at most `timeout` seconds.
func eventually(within timeout: Double, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}

/// A client that sends one byte, and on its echo either closes (`keepOpen` false) or stays;
/// reports once: nil when all went as expected, or what went wrong.
final class GroupClient: Protocol {
    let keepOpen: Bool
    let report: (String?) -> Void
    let lost: (Failure) -> Void
    var reported = false

    init(keepOpen: Bool, report: @escaping (String?) -> Void, lost: @escaping (Failure) -> Void = { _ in }) {
        self.keepOpen = keepOpen
        self.report = report
        self.lost = lost
    }

    override func connectionMade() { transport?.write([7]) }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if keepOpen { finish(nil) } else { transport?.loseConnection() }
    }

    override func connectionLost(reason: Failure) {
        if !keepOpen { finish(reason.matches(ConnectionDone.self) ? nil : "lost with \(reason)") }
        lost(reason)
    }

    func finish(_ verdict: String?) {
        guard !reported else { return }
        reported = true
        report(verdict)
    }
}

/// Builds the one client it holds, then forgets it.
final class GroupClientFactory: ClientFactory {
    var client: GroupClient?

    init(_ client: GroupClient) {
        self.client = client
        super.init()
        noisy = false
    }

    override func buildProtocol(address: Address) -> Protocol? {
        defer { client = nil }
        client?.factory = self
        return client
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        client?.finish("connect failed: \(reason)")
    }
}

/// How a run of clients ended.
struct ClientRun: Sendable {
    var finished = 0
    var failures: [String] = []
    var lost = 0
    var lostReasons: Set<String> = []
}

/// Connects `total` clients to `address` (a TCP port on 127.0.0.1, or the UNIX socket `unixPath`) from `reactor` (at most `concurrency` at a time); calls
/// `done` on the reactor thread once every one has reported.
func connectClients(
    _ reactor: Reactor, to address: Address, unixPath: String? = nil, total: Int, concurrency: Int, keepOpen: Bool,
    run: Shared<ClientRun>, done: @escaping () throws -> Void
) {
    var started = 0
    var finished = 0
    func startOne() {
        started += 1
        let client = GroupClient(keepOpen: keepOpen, report: { verdict in
            finished += 1
            run.mutate {
                $0.finished += 1
                if let verdict, $0.failures.count < 5 { $0.failures.append(verdict) }
            }
            if started < total {
                startOne()
            } else if finished == total {
                do { try done() } catch { run.mutate { $0.failures.append("done threw \(error)") } }
            }
        }, lost: { reason in
            run.mutate {
                $0.lost += 1
                $0.lostReasons.insert("\(type(of: reason.error))")
            }
        })
        let factory = GroupClientFactory(client)
        if let unixPath {
            reactor.connectUNIX(unixPath, factory, timeout: 10)
        } else {
            reactor.connectTCP("127.0.0.1", address.port!, factory, timeout: 10)
        }
    }
    for _ in 0..<min(concurrency, total) { startOne() }
}
