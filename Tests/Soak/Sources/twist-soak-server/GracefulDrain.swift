import Twist

/// The server's `before shutdown` trigger: closes every echo connection gracefully (what is
/// queued is flushed first) and holds the shutdown until all are closed, or until `timeout`
/// passes — then it aborts the rest. It reports on standard output what it did, for the runner.
final class GracefulDrain {
    private let reactor: Reactor
    private let stats: ServerStats
    private let timeout: Double
    private var completion: TriggerCompletionSource?
    private var started = 0.0
    private var draining = 0

    /// A drain for the echo connections counted in `stats`, bounded by `timeout` seconds.
    init(reactor: Reactor, stats: ServerStats, timeout: Double) {
        self.reactor = reactor
        self.stats = stats
        self.timeout = timeout
    }

    /// Starts draining; the returned completion fires when it is over.
    func start() -> any TriggerCompletion {
        let completion = TriggerCompletionSource()
        self.completion = completion
        started = reactor.seconds()
        let open = Array(stats.echoByPeerPort.values)
        draining = open.count
        say("shutdown: trigger ran, draining \(draining) connections, \(stats.bytesOut) bytes written so far")
        for echo in open { echo.drainAndClose() }
        check()
        return completion
    }

    /// Completes once no echo connection is open; polls every 10 ms (bounded by the timeout).
    private func check() {
        let elapsed = reactor.seconds() - started
        if stats.echoOpen == 0 {
            say("shutdown: drained \(draining) connections in \(milliseconds(elapsed)) ms")
            completion?.complete()
            completion = nil
        } else if elapsed >= timeout {
            let left = Array(stats.echoByPeerPort.values)
            say("shutdown: drain timed out after \(milliseconds(elapsed)) ms; aborting \(left.count) connections")
            for echo in left { echo.transport?.abortConnection() }
            completion?.complete()
            completion = nil
        } else {
            reactor.callLater(0.01) { [self] in check() }
        }
    }

    private func milliseconds(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }
}
