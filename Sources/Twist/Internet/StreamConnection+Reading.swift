import Glibc
import TwistCore

extension StreamConnection {
    /// Reads until the descriptor is drained, ``maximumReadsPerWakeUp`` reads were made, or the
    /// connection stopped reading; each read is one delivery to the protocol.
    final func readUntilDrained() {
        for _ in 0..<Self.maximumReadsPerWakeUp {
            guard state.wantsToRead, let receiver = protocolInstance else { return }
            switch deliverOneRead(to: receiver) {
            case .drained, .stopped: return
            case .more, .interrupted: continue
            }
        }
    }

    /// What one read found.
    enum ReadOutcome {
        /// The buffer was filled: more may be waiting.
        case more
        /// Less than a full buffer: the descriptor is drained for now.
        case drained
        /// `read` was interrupted by a signal: try again.
        case interrupted
        /// End of file, an error, or a protocol error: the connection closed or half-closed.
        case stopped
    }

    /// Makes one read into the lent receive buffer (after the protocol's own buffer, when it
    /// offers one: ``Protocol/readDirectly(_:)``) and delivers it: the protocol's writes during
    /// `dataReceived` are gathered in the lent send scratch and flushed right after it returns.
    /// Both buffers go back to the reactor before this returns, whatever happened.
    @inline(__always)
    private func deliverOneRead(to receiver: Protocol) -> ReadOutcome {
        var buffer = resources.lendReceiveBuffer()
        defer { resources.returnReceiveBuffer(buffer) }
        // The protocol may take the read's first bytes into a buffer of its own (the rest of a
        // long message); what comes after them lands in the receive buffer.
        var ownRegion = 0
        let count =
            descriptor.passesDescriptors
            ? receiveWithDescriptors(into: &buffer, for: receiver, ownRegion: &ownRegion)
            : receiver.readDirectly { region in
                ownRegion = region.count
                return buffer.withUnsafeMutableBytes { descriptor.read(into: region, then: $0) }
            } ?? buffer.withUnsafeMutableBytes { descriptor.read(into: $0) }
        if count > 0 {
            let filled = count == ownRegion + buffer.count
            let received = count - min(count, ownRegion)
            guard received > 0 else { return filled ? .more : .drained }
            resources.instrumentation?.bytesReceived(received)
            var scratch = resources.lendSendScratch()
            queue.beginGathering(lending: &scratch)
            defer {
                queue.endGathering(returning: &scratch)
                resources.returnSendScratch(scratch)
            }
            do {
                try receiver.dataReceived(buffer[0..<received])
            } catch {
                logProtocolError("error in dataReceived; closing the connection", receiver, error)
                close(reason: Failure(error))
                return .stopped
            }
            flushQueuedWrites()
            // Writes left queued must not keep the shared receive buffer (see copyChunks).
            if !queue.isEmpty { buffer.withUnsafeBytes { queue.copyChunks(aliasing: $0) } }
            return filled ? .more : .drained
        }
        if count == 0 {
            peerStoppedSending(receiver)
            return .stopped
        }
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK { return .drained }
        if code == EINTR { return .interrupted }
        close(reason: Failure(ConnectionLost(SystemCallError("read", code: code).reason, osError: code)))
        return .stopped
    }

    /// End of file from the peer: a half-closeable protocol keeps the connection for writing;
    /// any other one has lost it cleanly.
    private func peerStoppedSending(_ receiver: Protocol) {
        guard let halfCloseable = receiver as? any HalfCloseableProtocol else {
            close(reason: Failure(ConnectionDone()))
            return
        }
        watchers.stopReading()
        state.peerClosedWriting()
        notifyHalfClose(receiver) { try halfCloseable.readConnectionLost() }
    }

    /// Runs a half-close notification; an error from it closes the whole connection.
    final func notifyHalfClose(_ receiver: Protocol, _ notification: () throws -> Void) {
        do {
            try notification()
        } catch {
            logProtocolError("error in a half-close notification; closing the connection", receiver, error)
            close(reason: Failure(error))
        }
    }
}
