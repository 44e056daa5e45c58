import TwistCore

extension StreamConnection {
    final func loseConnection() {
        reactor.requireConfined("Transport")
        guard state.loseConnection() else { return }
        watchers.stopReading()
        // Writable fires on the next pass even with nothing queued, and closes from the loop (or
        // asks a registered pull producer for more, until it unregisters).
        watchers.startWriting()
    }

    /// Half-closes: once the queue drains, shuts down the sending side (Twisted's
    /// `loseWriteConnection`).
    final func loseWriteConnection() {
        reactor.requireConfined("Transport")
        guard state.loseWriteConnection() else { return }
        watchers.startWriting()  // shut down from the loop once the queue is empty
    }

    final func abortConnection() {
        reactor.requireConfined("Transport")
        abort(with: ConnectionAborted())
    }

    /// Stops everything now and closes on the next loop pass with `reason` (never re-entrantly).
    final func abort(with reason: NetworkError) {
        guard state.abort() else { return }
        watchers.stop()
        queue.removeAll()
        reactor.callLater(0) { [self] in close(reason: Failure(reason)) }
    }

    /// Closes the descriptor and tells the producer, the protocol, then whoever made the
    /// connection.
    final func close(reason: Failure) {
        guard state.close() else { return }
        resources.instrumentation?.connectionClosed(ConnectionCloseReason(reason))
        watchers.stop()
        descriptor.close()
        loop.unregister(self)
        queue.removeAll()
        closeOutgoingDescriptors()
        stopRegisteredProducer()
        let receiver = protocolInstance
        protocolInstance = nil
        receiver?.deliverConnectionLost(reason: reason)
        let onClosed = self.onClosed
        self.onClosed = nil
        onClosed?(reason)
    }
}
