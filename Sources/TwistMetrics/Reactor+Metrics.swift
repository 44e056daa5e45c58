public import CoreMetrics
public import Twist

extension Reactor {
    /// Reports this reactor's connections to swift-metrics from now on (see
    /// ``TwistMetricsInstrumentation`` for the metrics), and samples its pending delayed calls
    /// every `sampleInterval` seconds while it runs. Call it before the reactor serves, after
    /// the program bootstrapped its metrics backend.
    ///
    /// - Returns: the instrumentation, now the reactor's ``Twist/Reactor/instrumentation``.
    @discardableResult
    public nonisolated func enableMetrics(
        dimensions: [(String, String)] = [], sampleInterval: Double = 1,
        factory: any MetricsFactory = MetricsSystem.factory
    ) -> TwistMetricsInstrumentation {
        precondition(sampleInterval > 0, "enableMetrics needs a positive sample interval")
        let metrics = TwistMetricsInstrumentation(dimensions: dimensions, factory: factory)
        instrumentation = metrics
        sampleDelayedCalls(into: metrics, every: sampleInterval)
        return metrics
    }

    /// Records the pending delayed calls now and again every `interval` seconds, for as long as
    /// `metrics` is this reactor's instrumentation. Holds the reactor weakly, so the sampler
    /// keeps nothing alive.
    private nonisolated func sampleDelayedCalls(into metrics: TwistMetricsInstrumentation, every interval: Double) {
        guard instrumentation === metrics else { return }
        metrics.delayedCalls.record(pendingDelayedCallCount)
        callLater(interval) { [weak self, weak metrics] in
            guard let self, let metrics else { return }
            self.sampleDelayedCalls(into: metrics, every: interval)
        }
    }
}
