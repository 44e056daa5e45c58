/// Stands between a transport and the push producer registered with it through a
/// ``ThrottlingFactory`` connection, so that the transport's flow control and the write rate
/// limit can both pause the producer (``ThrottlePause``). `stopProducing` passes straight through.
final class ThrottledProducer: PushProducer {
    /// The producer the protocol registered.
    let producer: any PushProducer
    private var pause = ThrottlePause.running

    init(_ producer: any PushProducer) {
        self.producer = producer
    }

    /// True while the transport or the throttle holds the producer paused.
    var isPaused: Bool { pause.isPaused }

    /// The transport's queue is full.
    func pauseProducing() { apply(pause.controllerPauses()) }

    /// The transport's queue drained.
    func resumeProducing() { apply(pause.controllerResumes()) }

    /// The transport is gone.
    func stopProducing() { producer.stopProducing() }

    /// The write rate limit was exceeded.
    func throttle() { apply(pause.throttle()) }

    /// The write rate limit lifted.
    func unthrottle() { apply(pause.unthrottle()) }

    private func apply(_ action: ThrottlePause.Action) {
        switch action {
        case .pause: producer.pauseProducing()
        case .resume: producer.resumeProducing()
        case .none: break
        }
    }
}
