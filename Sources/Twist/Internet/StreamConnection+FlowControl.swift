import TwistCore

/// The producer registered to write to a stream connection, with its paused state.
enum WriteProducer {
    /// None is registered.
    case none
    /// A streaming producer, and whether the connection paused it (its queue is above the high
    /// water mark and has not yet drained to the low one).
    case push(any PushProducer, paused: Bool)
    /// A pull producer: asked for more each time the queue drains.
    case pull(any PullProducer)

    /// A pull producer is registered.
    var isPull: Bool {
        if case .pull = self { return true }
        return false
    }
}

extension StreamConnection {
    // MARK: The registered producer

    final func registerProducer(_ registered: RegisteredProducer) throws {
        reactor.requireConfined("Transport")
        if case .none = producer {} else {
            throw ProducerRegistrationError("a producer is already registered with this transport")
        }
        guard state.canFlush else {
            registered.producer.stopProducing()
            return
        }
        switch registered {
        case .pull(let pulled):
            producer = .pull(pulled)
            pulled.resumeProducing()
        case .push(let streaming):
            producer = .push(streaming, paused: false)
            pauseProducerIfAboveHighWaterMark()
        }
    }

    final func unregisterProducer() {
        reactor.requireConfined("Transport")
        producer = .none
        if state.isFlushingToClose { watchers.startWriting() }
    }

    /// Pauses a running streaming producer once the queue is above its high water mark.
    @inline(__always)
    final func pauseProducerIfAboveHighWaterMark() {
        guard case .push(let streaming, paused: false) = producer, queue.isAboveHighWaterMark else { return }
        producer = .push(streaming, paused: true)
        streaming.pauseProducing()
    }

    /// Resumes a streaming producer the connection paused, once the queue is at or below its low
    /// water mark.
    @inline(__always)
    final func resumeProducerIfBelowLowWaterMark() {
        guard case .push(let streaming, paused: true) = producer, queue.isAtOrBelowLowWaterMark else { return }
        producer = .push(streaming, paused: false)
        streaming.resumeProducing()
    }

    /// Drops the registered producer and tells it to stop (the connection is closing).
    final func stopRegisteredProducer() {
        let registered = producer
        producer = .none
        switch registered {
        case .none: break
        case .push(let streaming, _): streaming.stopProducing()
        case .pull(let pulled): pulled.stopProducing()
        }
    }

    // MARK: The transport as a producer (its reading side)

    final func pauseProducing() {
        reactor.requireConfined("Transport")
        state.pauseReading()
        watchers.stopReading()
    }

    final func resumeProducing() {
        reactor.requireConfined("Transport")
        if state.resumeReading() { watchers.startReading() }
    }

    final func stopProducing() {
        loseConnection()
    }
}
