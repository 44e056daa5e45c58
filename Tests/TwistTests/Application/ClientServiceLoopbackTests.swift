import Testing
import Twist
import TwistTestSupport

/// A client protocol that greets the server and reports its loss through a Deferred.
private final class LoopbackGreeter: Protocol {
    let lost = Deferred<Void>()
    override func connectionMade() { transport?.write(Array("hello".utf8)[...]) }
    override func connectionLost(reason: Failure) { try? lost.callback() }
}

/// A server protocol that closes the connection on the first bytes it gets.
private final class HangingUp: Protocol {
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { transport?.loseConnection() }
}

/// ClientService on the libev reactor over loopback: real connects, real losses, the reactor's
/// clock for the retries, and the `async` whenConnected awaited on the reactor.
@Suite(.timeLimit(.minutes(1))) struct ClientServiceLoopbackTests {
    @Test func reconnectsAfterTheServerHangsUpAndStopsCleanly() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            var accepted = 0
            let port = try reactor.listenTCP(0, Factory {
                accepted += 1
                return accepted == 1 ? HangingUp() : Protocol()
            }, interface: "127.0.0.1")
            let endpoint = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: port.address.port!)
            let service = ClientService(
                endpoint: endpoint, factory: Factory { LoopbackGreeter() }, retryPolicy: { _ in 0.05 }, clock: reactor
            )
            try service.startService()
            Deferred(on: reactor) { () -> Void in
                let first = try #require(try await service.whenConnected() as? LoopbackGreeter)
                log.mutate { $0.append("first on reactor: \(reactor.isInReactorThread)") }
                try await first.lost.value()  // the server hangs up
                log.mutate { $0.append("failed attempts: \(service.failedAttempts)") }
                let second = try #require(try await service.whenConnected() as? LoopbackGreeter)
                log.mutate { $0.append("second is new: \(first !== second), count reset: \(service.failedAttempts == 0)") }
                try await #require(service.stopService()).value()
                log.mutate { $0.append("stopped, second connected: \(second.isConnected), accepted: \(accepted)") }
            }.addBoth { result in
                if case .failure(let failure) = result { log.mutate { $0.append("failed: \(failure.error)") } }
                try reactor.stop()
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "first on reactor: true",
            "failed attempts: 1",
            "second is new: true, count reset: true",
            "stopped, second connected: false, accepted: 2",
        ])
    }

    @Test func failAfterFailuresEndsTheWaitWithTheRefusal() async {
        let log = Shared<[String]>([])
        let holder = ReservedPort()
        let number = holder.port
        let stopped = await runReactor { reactor in
            var policyCalls: [Int] = []
            let endpoint = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: number)
            let service = ClientService(
                endpoint: endpoint, factory: Factory { LoopbackGreeter() },
                retryPolicy: { failures in
                    policyCalls.append(failures)
                    return 0.01
                },
                clock: reactor
            )
            try service.startService()
            Deferred(on: reactor) { () -> Void in
                do {
                    _ = try await service.whenConnected(failAfterFailures: 2)
                    log.mutate { $0.append("connected?") }
                } catch let error as ConnectionRefusedError {
                    log.mutate { $0.append("refused: \(type(of: error)), policy asked for \(policyCalls)") }
                }
                try await #require(service.stopService()).value()
                log.mutate { $0.append("stopped, retry left: \(reactor.pendingCalls.count > 1)") }
            }.addBoth { _ in try reactor.stop() }
        }
        withExtendedLifetime(holder) {}
        #expect(stopped)
        #expect(log.value == ["refused: ConnectionRefusedError, policy asked for [1, 2]", "stopped, retry left: false"])
    }
}
