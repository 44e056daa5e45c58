import CTwistShims
import Glibc
import Logging
import TwistCore

extension StreamConnection {
    /// The most descriptors one read takes (the kernel's limit per message, `SCM_MAX_FD`).
    static let maximumDescriptorsPerRead = 253

    /// What sending the queued descriptors came to.
    enum DescriptorSendOutcome {
        /// All were sent; the queued bytes may follow.
        case sent
        /// The socket is full: wait for writability (no byte may go without its descriptor).
        case blocked
        /// An error or an overrun closed the connection.
        case closed
    }

    /// One read of a descriptor-passing socket (`recvmsg`), made as ``deliverOneRead`` makes a
    /// plain one: into the protocol's own buffer first when it offers one
    /// (``Protocol/readDirectly(_:)``, `ownRegion` set to that region's size), then into
    /// `buffer` — unless the protocol takes descriptors, which then reads into `buffer` only, so
    /// that it hears of the descriptors before any byte of the read that carried them. The
    /// descriptors go to the protocol first, in order, when it is a ``FileDescriptorReceiver``,
    /// and are closed otherwise. Returns what `read` would: the count, 0 at end of file, or -1
    /// with `errno` set.
    final func receiveWithDescriptors(into buffer: inout [UInt8], for receiver: Protocol, ownRegion: inout Int) -> Int {
        if !protocolTakesDescriptors {
            var region = 0
            let direct = receiver.readDirectly { own in
                region = own.count
                return buffer.withUnsafeMutableBytes { receive(into: own, then: $0, for: receiver) }
            }
            if let direct {
                ownRegion = region
                return direct
            }
        }
        return buffer.withUnsafeMutableBytes { receive(into: $0, then: nil, for: receiver) }
    }

    /// One `recvmsg` into `first` and then `second` (when given); the descriptors that came with
    /// it are handed on or closed.
    private func receive(
        into first: UnsafeMutableRawBufferPointer, then second: UnsafeMutableRawBufferPointer?, for receiver: Protocol
    ) -> Int {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.maximumDescriptorsPerRead) { passed in
            var vectors = (
                iovec(iov_base: first.baseAddress, iov_len: first.count),
                iovec(iov_base: second?.baseAddress, iov_len: second?.count ?? 0)
            )
            var received: Int32 = 0
            var others: Int32 = 0
            let count = withUnsafeMutableBytes(of: &vectors) { raw in
                twist_receive_with_descriptors(
                    descriptor.fd, raw.baseAddress!.assumingMemoryBound(to: iovec.self), second == nil ? 1 : 2,
                    passed.baseAddress!, Int32(passed.count), &received, &others
                )
            }
            guard count >= 0 else { return count }
            if others > 0 {
                loop.logger.warning("ignored ancillary data that is not descriptors", metadata: ["peer": "\(peer)", "messages": "\(others)"])
            }
            if received > 0 { deliverDescriptors(UnsafeBufferPointer(rebasing: passed[0..<Int(received)]), to: receiver) }
            return count
        }
    }

    /// Hands received descriptors to the protocol, or closes them with a log line when it takes
    /// none.
    private func deliverDescriptors(_ passed: UnsafeBufferPointer<Int32>, to receiver: Protocol) {
        guard let taker = receiver as? any FileDescriptorReceiver else {
            for fd in passed { _ = Glibc.close(fd) }
            loop.logger.warning(
                "closed descriptors passed to a protocol that takes none",
                metadata: ["protocol": "\(receiver.logPrefix)", "host": "\(host)", "peer": "\(peer)", "count": "\(passed.count)"]
            )
            return
        }
        for fd in passed { taker.fileDescriptorReceived(fd) }
    }

    /// Sends each queued descriptor with one byte of the queued data (one `sendmsg` each). More
    /// descriptors than bytes closes the connection with ``FileDescriptorOverrun``.
    final func sendOutgoingDescriptors() -> DescriptorSendOutcome {
        while let passed = outgoingDescriptors.first {
            guard !queue.isEmpty else {
                close(reason: Failure(FileDescriptorOverrun("\(outgoingDescriptors.count) descriptor(s) with no byte to carry them")))
                return .closed
            }
            let sent = queue.write { vectors, _ in twist_send_descriptor(descriptor.fd, vectors[0].iov_base, passed) }
            if sent < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return .blocked }
                close(reason: Failure(ConnectionLost(SystemCallError("sendmsg", code: code).reason, osError: code)))
                return .closed
            }
            if sent > 0 { resources.instrumentation?.bytesSent(sent) }
            outgoingDescriptors.removeFirst()
            _ = Glibc.close(passed)
        }
        return .sent
    }

    /// Closes the duplicates still waiting to be sent (the connection is closing).
    final func closeOutgoingDescriptors() {
        for fd in outgoingDescriptors { _ = Glibc.close(fd) }
        outgoingDescriptors.removeAll()
    }

    /// Queues a duplicate of `fd` and asks for a flush; pauses a streaming producer once more than
    /// ``maximumQueuedDescriptors`` wait.
    final func queueDescriptor(_ fd: Int32) throws {
        reactor.requireConfined("Transport")
        guard state.acceptsWrites else { return }
        let duplicate = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else {
            let error = SystemCallError("fcntl(F_DUPFD_CLOEXEC)")
            throw NetworkError("cannot duplicate descriptor \(fd): \(error.reason)", osError: error.code)
        }
        outgoingDescriptors.append(duplicate)
        watchers.startWriting()  // even inside dataReceived: a flush must come, bytes or not
        if outgoingDescriptors.count > Self.maximumQueuedDescriptors, case .push(let streaming, paused: false) = producer {
            producer = .push(streaming, paused: true)
            streaming.pauseProducing()
        }
    }

    /// How many descriptors may wait before a streaming producer is paused.
    static let maximumQueuedDescriptors = 64
}
