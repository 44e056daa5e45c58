// A production-shaped Twist server inside a swift-service-lifecycle ServiceGroup, beside a plain
// async service of another library: an echo port with an idle timeout and a per-peer limit. The
// group owns SIGTERM and SIGINT; on either it shuts the services down gracefully, in reverse
// order. Prints "Serving echo on <address>.", then "plain service: shut down" and
// "twist: services stopped" in that order, and exits 0.
// (Run by Tests/PoetryTests/SnippetExecutableTests.swift.)
import Foundation
import Logging
import ServiceLifecycle
import Twist
import TwistServiceLifecycle

/// Writes a line to standard output at once (a script reads it while the program runs).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

final class Echo: Protocol {
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { transport?.write(data) }
}

/// Says when the Twist services have stopped (it is added first, so it stops last).
final class StopAnnouncer: TwistCore.Service {
    override func stopService() -> Deferred<Void>? {
        _ = super.stopService()
        say("twist: services stopped")
        return nil
    }
}

struct PlainService: ServiceLifecycle.Service {
    func run() async throws {
        try await gracefulShutdown()
        say("plain service: shut down")
    }
}

let logger = Logger(label: "lifecycle-snippet")
let twist = TwistLifecycleService { host in
    try host.addService(StopAnnouncer())
    let factory = LimitConnectionsByPeer(
        wrapping: TimeoutFactory(wrapping: Factory { Echo() }, idleTimeout: 30, clock: host.reactor),
        maxConnectionsPerPeer: 8
    )
    try host.addService(StreamServerEndpointService("tcp:0:interface=127.0.0.1", reactor: host.reactor, factory: factory) {
        say("Serving echo on \($0.address).")
    })
}
let group = ServiceGroup(
    services: [twist, PlainService()], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
)
try await group.run()
