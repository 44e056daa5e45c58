public import CoreMetrics
public import Twist

/// Reports a reactor's connections to swift-metrics: install it with
/// ``Twist/Reactor/enableMetrics(dimensions:sampleInterval:factory:)``. What reaches a backend
/// depends on what the program bootstraps with `MetricsSystem.bootstrap`; without a backend,
/// swift-metrics drops everything.
///
/// | metric | kind | what |
/// |---|---|---|
/// | `twist_connections_accepted_total` | counter | connections a listening port accepted and its factory served |
/// | `twist_connections_refused_total` | counter | connections a port accepted and its factory refused (a limit policy, say) |
/// | `twist_connections_open` | gauge | stream connections open now (accepted, connected, process pipes) |
/// | `twist_connections_closed_total` | counter, `reason` = `done`, `aborted`, `lost`, `failed` | connections that closed, by why |
/// | `twist_bytes_received_total` | counter | bytes delivered to protocols |
/// | `twist_bytes_sent_total` | counter | bytes handed to the kernel |
/// | `twist_delayed_calls_pending` | gauge | delayed calls scheduled, sampled every `sampleInterval` seconds |
///
/// Each carries the `dimensions` it was made with (a reactor's index in a group, say). Confined
/// to its reactor's thread, as every ``ReactorInstrumentation``.
public final class TwistMetricsInstrumentation: ReactorInstrumentation {
    private let accepted: Counter
    private let refused: Counter
    private let open: Gauge
    private let closed: [ConnectionCloseReason: Counter]
    private let received: Counter
    private let sent: Counter
    /// The delayed calls gauge, recorded by the reactor's sampler.
    let delayedCalls: Gauge
    private var openCount = 0

    /// Metrics with `dimensions`, made by `factory` (the bootstrapped system's by default).
    public init(dimensions: [(String, String)] = [], factory: any MetricsFactory = MetricsSystem.factory) {
        accepted = Counter(label: "twist_connections_accepted_total", dimensions: dimensions, factory: factory)
        refused = Counter(label: "twist_connections_refused_total", dimensions: dimensions, factory: factory)
        open = Gauge(label: "twist_connections_open", dimensions: dimensions, factory: factory)
        closed = Dictionary(uniqueKeysWithValues: ConnectionCloseReason.allCases.map { reason in
            (reason, Counter(label: "twist_connections_closed_total", dimensions: dimensions + [("reason", reason.rawValue)], factory: factory))
        })
        received = Counter(label: "twist_bytes_received_total", dimensions: dimensions, factory: factory)
        sent = Counter(label: "twist_bytes_sent_total", dimensions: dimensions, factory: factory)
        delayedCalls = Gauge(label: "twist_delayed_calls_pending", dimensions: dimensions, factory: factory)
    }

    /// Counts an accepted connection.
    public func connectionAccepted() { accepted.increment() }

    /// Counts a connection the factory refused.
    public func connectionRefusedByFactory() { refused.increment() }

    /// Raises the open-connections gauge.
    public func connectionOpened() {
        openCount += 1
        open.record(openCount)
    }

    /// Lowers the open-connections gauge and counts the close by reason.
    public func connectionClosed(_ reason: ConnectionCloseReason) {
        openCount = max(0, openCount - 1)
        open.record(openCount)
        closed[reason]?.increment()
    }

    /// Counts bytes delivered to a protocol.
    public func bytesReceived(_ count: Int) { received.increment(by: count) }

    /// Counts bytes handed to the kernel.
    public func bytesSent(_ count: Int) { sent.increment(by: count) }
}
