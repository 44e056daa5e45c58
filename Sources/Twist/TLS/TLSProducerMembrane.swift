import TwistCore

/// What stands between a TLS connection's push producer and the transport below (Twisted's
/// `_ProducerMembrane`): the transport below pauses and resumes it for its write queue, the TLS
/// layer pauses it while writes wait for the handshake, and the application's producer hears a
/// pause or a resume only when the combination changes.
final class TLSProducerMembrane: PushProducer {
    /// The application's producer.
    let producer: any PushProducer
    private var pausedBelow = false
    private var pausedByTLS = false

    init(_ producer: any PushProducer) {
        self.producer = producer
    }

    private var isPaused: Bool { pausedBelow || pausedByTLS }

    /// Applies a change of either cause, telling the producer only when its state changes.
    private func change(_ body: () -> Void) {
        let wasPaused = isPaused
        body()
        if isPaused != wasPaused {
            if isPaused { producer.pauseProducing() } else { producer.resumeProducing() }
        }
    }

    /// The transport below's queue is full.
    func pauseProducing() { change { pausedBelow = true } }

    /// The transport below's queue drained.
    func resumeProducing() { change { pausedBelow = false } }

    /// The connection is gone: the producer stops for good.
    func stopProducing() { producer.stopProducing() }

    /// Writes wait for the handshake (true) or were sent (false).
    func setPausedByTLS(_ paused: Bool) { change { pausedByTLS = paused } }
}
