import MetricsTestKit
import Testing
import Twist
import TwistMetrics
import TwistTestSupport

/// Echoes what it receives.
private final class Echo: Protocol {
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { transport?.write(data) }
}

/// Sends "hello", and when it comes back closes cleanly (or aborts); reports its loss.
private final class Caller: Protocol {
    let abort: Bool
    let lost: () -> Void
    init(abort: Bool, lost: @escaping () -> Void) {
        self.abort = abort
        self.lost = lost
    }
    override func connectionMade() { transport?.write(Array("hello".utf8)) }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if abort { transport?.abortConnection() } else { transport?.loseConnection() }
    }
    override func connectionLost(reason: Failure) { lost() }
}

@Suite(.timeLimit(.minutes(1))) struct TwistMetricsTests {
    /// One clean client, one that aborts, one refused by a limit: every metric moves as it should,
    /// on both ends of each connection (server and clients run on the one reactor).
    @Test func connectionsBytesAndClosesAreCounted() async throws {
        let metrics = TestMetrics()
        let finished = await runReactor(timeout: 20) { reactor in
            reactor.enableMetrics(dimensions: [("reactor", "0")], sampleInterval: 0.05, factory: metrics)
            let limited = LimitTotalConnectionsFactory(wrapping: Factory { Echo() }, connectionLimit: 1)
            let port = try reactor.listenTCP(0, limited, backlog: 50, interface: "127.0.0.1").address.ip!.port
                func call(abort: Bool, then next: @escaping () -> Void) {
                reactor.connectTCP("127.0.0.1", port, ClientFactory { Caller(abort: abort) { next() } })
            }
            // A clean exchange, then an aborted one, then two at once (one refused), then stop
            // once the server has seen every close.
            // Each next step waits a moment after a client's loss, so the server has seen the
            // close too and the limit counts the connection gone.
            call(abort: false) {
                reactor.callLater(0.2) { call(abort: true) {
                    // Once the server has seen the abort, two at once: one over the limit.
                    reactor.callLater(0.2) {
                        call(abort: false) {}
                        call(abort: false) {}
                        reactor.callLater(0.5) { try reactor.stop() }
                    }
                } }
            }
        }
        #expect(finished)
        let accepted = try metrics.expectCounter("twist_connections_accepted_total", [("reactor", "0")])
        let refused = try metrics.expectCounter("twist_connections_refused_total", [("reactor", "0")])
        #expect(accepted.totalValue == 3)
        #expect(refused.totalValue == 1)
        let open = try metrics.expectGauge("twist_connections_open", [("reactor", "0")])
        #expect(open.lastValue == 0)
        #expect(open.values.max() ?? 0 >= 2)  // a client and its server end at least
        func closed(_ reason: String) throws -> Int64 {
            try metrics.expectCounter("twist_connections_closed_total", [("reactor", "0"), ("reason", reason)]).totalValue
        }
        // 4 clients + 3 served ends = 7 connections; the aborting client's end is "aborted",
        // the server's end of it "lost" (a reset) or "done"; the refused client's end "done".
        #expect(try closed("done") + closed("aborted") + closed("lost") + closed("failed") == 7)
        #expect(try closed("aborted") == 1)
        let received = try metrics.expectCounter("twist_bytes_received_total", [("reactor", "0")]).totalValue
        let sent = try metrics.expectCounter("twist_bytes_sent_total", [("reactor", "0")]).totalValue
        // Every caller sent 5 bytes (the refused one too, before it learned), and the three
        // served ones had 5 echoed and received them: 4×5 + 3×5 sent, 3×5 + 3×5 received.
        #expect(sent == 35)
        #expect(received == 30)
        let delayed = try metrics.expectGauge("twist_delayed_calls_pending", [("reactor", "0")])
        #expect(delayed.values.count >= 2)
    }

    /// Without instrumentation nothing is reported, and a reactor's hook can be removed.
    @Test func noInstrumentationByDefaultAndItCanBeRemoved() {
        let reactor = Reactor()
        #expect(reactor.instrumentation == nil)
        reactor.enableMetrics(factory: TestMetrics())
        #expect(reactor.instrumentation is TwistMetricsInstrumentation)
        reactor.instrumentation = nil
        #expect(reactor.instrumentation == nil)
    }
}
