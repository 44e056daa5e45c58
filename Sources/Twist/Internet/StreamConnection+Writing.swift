import Glibc
import TwistCore

extension StreamConnection {
    /// Sends `data` at once when nothing is queued and no delivery is gathering writes; queues
    /// what the descriptor does not take (see ``WriteQueue``).
    final func write(_ data: ArraySlice<UInt8>) {
        reactor.requireConfined("Transport")
        guard !data.isEmpty, state.acceptsWrites else { return }
        var rest = data
        if queue.isEmpty && !queue.isGathering && outgoingDescriptors.isEmpty {
            guard let written = data.withUnsafeBytes({ writeAtOnce($0) }) else { return }
            rest = data.dropFirst(written)
        }
        queue.append(rest)
        queued()
    }

    /// ``write(_:)`` for bytes the caller lends for the call only: what is not sent at once is
    /// copied into the queue (into the lent send scratch, during a delivery).
    final func write(copying bytes: UnsafeRawBufferPointer) {
        reactor.requireConfined("Transport")
        guard !bytes.isEmpty, state.acceptsWrites else { return }
        var rest = bytes
        if queue.isEmpty && !queue.isGathering && outgoingDescriptors.isEmpty {
            guard let written = writeAtOnce(bytes) else { return }
            rest = UnsafeRawBufferPointer(rebasing: bytes[written...])
        }
        queue.append(copying: rest)
        queued()
    }

    /// The `write(2)` a write makes when nothing is queued: returns how many bytes went out, or
    /// nil when they all did or the connection failed (then there is nothing left to queue).
    @inline(__always)
    private func writeAtOnce(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let written = descriptor.write(bytes)
        if written > 0 { resources.instrumentation?.bytesSent(written) }
        if written == bytes.count {
            // Sent at once, so the queue is drained: a pull producer asks for more on the next
            // pass (from the writable event), never from inside its own write.
            if producer.isPull { watchers.startWriting() }
            return nil
        }
        if written >= 0 { return written }
        let code = errno
        guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
            abort(with: ConnectionLost(SystemCallError("write", code: code).reason, osError: code))
            return nil
        }
        return 0
    }

    /// Something was queued: watch for writability (unless the flush after the delivery will
    /// decide) and pause a streaming producer above the high water mark.
    @inline(__always)
    private func queued() {
        if !queue.isGathering { watchers.startWriting() }
        pauseProducerIfAboveHighWaterMark()
    }

    /// Writes `chunks` in order as one write of their concatenation would: gathered into the
    /// delivery's flush during `dataReceived` or behind what is already queued, else sent at once
    /// with one `writev` (not one system call per part).
    final func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        reactor.requireConfined("Transport")
        guard state.acceptsWrites else { return }
        guard chunks.count > 1, queue.isEmpty, !queue.isGathering, outgoingDescriptors.isEmpty else {
            for chunk in chunks { write(chunk) }
            return
        }
        // Nothing queued and no delivery gathering: queue every part (small ones copied, large
        // ones by reference) and send them all with one writev, as one write of their
        // concatenation would go.
        for chunk in chunks { queue.append(chunk) }
        flushQueuedWrites()
        pauseProducerIfAboveHighWaterMark()
    }

    /// The descriptor is writable: flush, then see what a drained queue means.
    final func flushWhenWritable() {
        guard state.canFlush else {
            watchers.stopWriting()
            return
        }
        guard flushQueue() else { return }
        queueFlushed()
    }

    /// Writes what is queued with `writev` until it is all sent or the descriptor is full.
    /// Returns false when a write error closed the connection.
    final func flushQueue() -> Bool {
        if !outgoingDescriptors.isEmpty {
            switch sendOutgoingDescriptors() {
            case .sent: break
            case .blocked: return true
            case .closed: return false
            }
        }
        while !queue.isEmpty {
            let written = queue.write { descriptor.writev($0, $1) }
            if written > 0 { resources.instrumentation?.bytesSent(written) }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                close(reason: Failure(ConnectionLost(SystemCallError("writev", code: code).reason, osError: code)))
                return false
            }
        }
        return true
    }

    /// Sends what is queued now: what the protocol wrote during `dataReceived`, gathered, right
    /// after it returned, or the parts of one `writeSequence`. What the descriptor does not take
    /// waits for the writable event; when everything went out, this ends as a write that went
    /// out at once would have.
    final func flushQueuedWrites() {
        guard !queue.isEmpty, state.canFlush, flushQueue() else { return }
        if !queue.isEmpty {
            watchers.startWriting()
            return
        }
        resumeProducerIfBelowLowWaterMark()
        // A pull producer asks for more on the next pass (a disconnecting connection already
        // watches for writability, and closes from there).
        if producer.isPull { watchers.startWriting() }
    }

    /// After a flush from the writable event: drive the producer and, once the queue is empty,
    /// stop watching for writability, shut down a sending side that asked for it, and close a
    /// disconnecting connection.
    final func queueFlushed() {
        resumeProducerIfBelowLowWaterMark()
        guard queue.isEmpty, state.canFlush else { return }
        watchers.stopWriting()
        if state.takePendingWriteShutdown() {
            descriptor.shutdownWriting()
            if let receiver = protocolInstance, let halfCloseable = receiver as? any HalfCloseableProtocol {
                notifyHalfClose(receiver) { try halfCloseable.writeConnectionLost() }
            }
            if state.isConnected { return }
        }
        // Disconnecting and drained: close — unless a pull producer is registered, which is asked
        // for more until it unregisters (a streaming producer does not hold the close; it hears
        // stopProducing() when the connection goes, as in Twisted).
        if case .pull(let pulled) = producer {
            pulled.resumeProducing()
        } else if state.isFlushingToClose {
            close(reason: Failure(ConnectionDone()))
        }
    }
}
