import Foundation
import Glibc
import Testing
import Twist
import TwistTestSupport

/// Many short connections over a group of two reactors, with each strategy, counted in a process
/// of its own (an exit test, where no other test opens descriptors): every connection is served,
/// on its reactor's thread, and afterwards no server protocol is alive (before the group stops) and the process has the
/// descriptors it had before. 10,000 connections per strategy (the figure), or
/// `TWIST_GROUP_CHURN` (ThreadSanitizer's run uses 2,000).
@Suite(.timeLimit(.minutes(3))) struct ReactorGroupChurnTests {
    @Test func manyConnectionsOverTwoReactorsLeaveNothingBehind() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let connections = ProcessInfo.processInfo.environment["TWIST_GROUP_CHURN"].flatMap { Int($0) } ?? 10_000
            for strategy in [GroupListeningStrategy.handOff, .reusePort] {
                if let problem = churn(connections, strategy: strategy) {
                    FileHandle.standardError.write(Data("\(strategy): \(problem)\n".utf8))
                    exit(1)
                }
            }
            exit(0)
        }
    }
}

/// Runs `connections` clients, 32 at a time, against a two-reactor group listening by
/// `strategy`, from a client reactor on the calling thread; nil when nothing was left behind.
private func churn(_ connections: Int, strategy: GroupListeningStrategy) -> String? {
    let group = ReactorGroup(count: 2)
    let stats = Shared(GroupServerStats(reactors: 2))
    let port: ReactorGroupPort
    do {
        port = try group.listenTCP(
            0, interface: "127.0.0.1", strategy: strategy, factory: GroupEchoFactory.maker(for: group, stats: stats))
        try group.start()
    } catch {
        return "cannot listen: \(error)"
    }
    let client = Reactor()
    let warmUp = Shared(ClientRun())
    let run = Shared(ClientRun())
    var baseline = -1
    var after = -1
    var liveAfter = -1
    client.callLater(150) { try client.stop() }
    client.callWhenRunning {
        // Warm up (first connections, first /proc listing), settle, then count.
        connectClients(client, to: port.address, total: 50, concurrency: 32, keepOpen: false, run: warmUp) {
            client.callLater(0.2) {
                baseline = openDescriptorCount()
                connectClients(client, to: port.address, total: connections, concurrency: 32, keepOpen: false, run: run) {
                    // Let the servers see the last closes.
                    client.callLater(0.3) {
                        after = openDescriptorCount()
                        liveAfter = stats.value.live
                        try client.stop()
                    }
                }
            }
        }
    }
    do { try client.run() } catch { return "client reactor: \(error)" }
    port.stopListening()
    group.stop()
    let seen = stats.value
    let outcome = run.value
    guard outcome.finished == connections, outcome.failures.isEmpty else {
        return "finished \(outcome.finished) of \(connections), failures \(outcome.failures)"
    }
    guard seen.served.allSatisfy({ $0 > 0 }), seen.served.reduce(0, +) == connections + 50 else {
        return "served per reactor \(seen.served)"
    }
    guard seen.wrongThread == 0 else { return "\(seen.wrongThread) callbacks off their reactor's thread" }
    guard liveAfter == 0 else { return "\(liveAfter) server protocols alive after the churn" }
    guard after == baseline else { return "descriptors: \(baseline) before, \(after) after" }
    return nil
}
