import Glibc
import Logging
import TwistCore

/// A connected TCP socket: the ``Transport`` a protocol talks through.
///
/// **Reads** go into the reactor's shared receive buffer and up to the protocol as a slice of it,
/// at most ``maximumReadsPerWakeUp`` reads per readiness so one busy peer cannot starve others.
/// **Writes** are tried at once when nothing is queued — except inside `dataReceived`, where they
/// are queued and flushed together with one `writev` as soon as it returns, so a read that
/// answers many messages costs one system call, not one per message. What the socket does not
/// take is queued (as slices of the caller's buffers, not copies) and flushed with `writev` when
/// it is writable.
/// **Closing** always reaches the protocol from the loop, never from inside the protocol's own
/// call: `loseConnection` flushes then closes (``ConnectionDone``), `abortConnection` closes on the
/// next pass (``ConnectionAborted``), an error thrown by `dataReceived` closes with that error.
/// After `connectionLost` the connection holds no reference to the protocol, its producer, or
/// whoever made it.
final class TCPConnection: IOHandler, TCPTransport {
    private enum State {
        case connected
        /// `loseConnection()`: flushing, then closing.
        case disconnecting
        /// Closing on the next pass (abort, or a write error found inside `write`).
        case closing
        case closed
    }

    /// How many reads one readiness event may do before the loop moves on.
    static let maximumReadsPerWakeUp = 4
    /// Queued bytes above which a streaming producer is paused (Twisted's `bufferSize`).
    static let highWaterMark = 65_536
    /// Queued bytes at or below which a paused streaming producer is resumed.
    static let lowWaterMark = 16_384
    /// Queued writes up to this size are copied into a buffer the connection owns (see
    /// ``enqueue(_:)``); larger ones are queued as the caller's slices, without a copy.
    private static let copyThreshold = 1_024
    /// The first capacity of a connection-owned write buffer (with Swift's array header, just
    /// under glibc's 1,032-byte limit for its per-thread cache).
    private static let ownedChunkCapacity = 960
    /// How many queued chunks one `writev` may gather.
    private static let maximumChunksPerWrite = 64

    let host: IPAddress
    let peer: IPAddress

    // The connection's state is confined to the reactor thread and never accessed overlappingly,
    // so the hot fields below skip the dynamic exclusivity checks (a runtime call per access).
    private let fd: Int32
    private unowned let loop: ReactorLoop
    private let reactor: Reactor
    private var watchers: IOWatchers!
    @exclusivity(unchecked) private var state = State.connected
    private var protocolInstance: Protocol?
    /// Told after the protocol's `connectionLost` (a client connector's `clientConnectionLost`).
    private var onClosed: ((Failure) -> Void)?

    @exclusivity(unchecked) private var queue: [ArraySlice<UInt8>] = []
    @exclusivity(unchecked) private var queueHead = 0
    /// The last queued chunk is the connection's own buffer, which small writes are appended to.
    @exclusivity(unchecked) private var lastChunkIsOwned = false
    /// Bytes of this connection's small writes in the loop's `sendScratch` (only while its
    /// `dataReceived` runs and until the flush after it), and how many of them were sent. They
    /// come after everything in `queue`.
    @exclusivity(unchecked) private var scratchBytes = 0
    @exclusivity(unchecked) private var scratchSent = 0
    @exclusivity(unchecked) private(set) var queuedBytes = 0
    @exclusivity(unchecked) private var producer: RegisteredProducer?
    @exclusivity(unchecked) private var producerPaused = false
    @exclusivity(unchecked) private var readingPaused = false
    /// `loseWriteConnection()` was called: shut the sending side once the queue drains.
    private var shutWriteWhenDrained = false
    /// The sending side is shut down.
    private var writeClosed = false
    /// The peer's sending side is shut down (a half-closeable protocol was told).
    private var readClosed = false
    /// Inside the protocol's `dataReceived`: writes are queued for one flush after it returns.
    @exclusivity(unchecked) private var isDelivering = false

    init(fd: Int32, peer: IPAddress, protocol: Protocol, reactor: Reactor, onClosed: ((Failure) -> Void)? = nil) {
        self.fd = fd
        self.peer = peer
        self.host = SystemAddress.local(of: fd)?.ipAddress ?? .ipv4("0.0.0.0", 0)
        self.reactor = reactor
        self.loop = reactor.core
        self.protocolInstance = `protocol`
        self.onClosed = onClosed
        super.init()
        watchers = IOWatchers(fd: fd, handler: self, loop: loop.loop)
    }

    /// Registers with the reactor, tells the protocol it is connected, and starts reading.
    func start() {
        loop.register(self)
        protocolInstance?.makeConnection(self)
        if state == .connected, !readingPaused { watchers.startReading() }
    }

    var isDisconnecting: Bool { state != .connected }

    var noDelay: Bool {
        get { Sockets.option(fd, Int32(IPPROTO_TCP), TCP_NODELAY) != 0 }
        set { Sockets.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, newValue ? 1 : 0) }
    }

    var keepAlive: Bool {
        get { Sockets.option(fd, SOL_SOCKET, SO_KEEPALIVE) != 0 }
        set { Sockets.setOption(fd, SOL_SOCKET, SO_KEEPALIVE, newValue ? 1 : 0) }
    }

    // MARK: Reading

    override func handleReadable() {
        for _ in 0..<Self.maximumReadsPerWakeUp {
            guard state == .connected, !readingPaused, !readClosed, let receiver = protocolInstance else { return }
            let count = loop.receiveBuffer.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress, buffer.count)
            }
            if count > 0 {
                do {
                    isDelivering = true
                    defer { isDelivering = false }
                    try receiver.dataReceived(loop.receiveBuffer[0..<count])
                } catch {
                    loop.logger.error(
                        "error in dataReceived; closing the connection",
                        metadata: ["protocol": "\(receiver.logPrefix)", "peer": "\(peer)", "error": "\(error)"]
                    )
                    close(reason: Failure(error))
                    return
                }
                flushAfterDelivery()
                if count < loop.receiveBuffer.count { return }  // drained for now
            } else if count == 0 {
                peerStoppedSending(receiver)
                return
            } else {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { return }
                if code == EINTR { continue }
                close(reason: Failure(ConnectionLost(SystemCallError("read", code: code).reason, osError: code)))
                return
            }
        }
    }

    /// End of file from the peer: a half-closeable protocol keeps the connection for writing;
    /// any other one has lost it cleanly.
    private func peerStoppedSending(_ receiver: Protocol) {
        guard let halfCloseable = receiver as? any HalfCloseableProtocol else {
            close(reason: Failure(ConnectionDone()))
            return
        }
        watchers.stopReading()
        readClosed = true
        notifyHalfClose(receiver) { try halfCloseable.readConnectionLost() }
    }

    /// Runs a half-close notification; an error from it closes the whole connection.
    private func notifyHalfClose(_ receiver: Protocol, _ notification: () throws -> Void) {
        do {
            try notification()
        } catch {
            loop.logger.error(
                "error in a half-close notification; closing the connection",
                metadata: ["protocol": "\(receiver.logPrefix)", "peer": "\(peer)", "error": "\(error)"]
            )
            close(reason: Failure(error))
        }
    }

    func loseWriteConnection() {
        guard state == .connected, !shutWriteWhenDrained else { return }
        shutWriteWhenDrained = true
        watchers.startWriting()  // shut down from the loop once the queue is empty
    }

    // MARK: Writing

    func write(_ data: ArraySlice<UInt8>) {
        guard !data.isEmpty, state == .connected || state == .disconnecting, !shutWriteWhenDrained else { return }
        var rest = data
        if queuedBytes == 0 && !isDelivering {
            let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written == data.count {
                // Sent at once, so the queue is drained: a pull producer asks for more on the next
                // pass (from the writable event), never from inside its own write.
                if case .pull? = producer { watchers.startWriting() }
                return
            }
            if written < 0 {
                let code = errno
                guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                    fail(ConnectionLost(SystemCallError("write", code: code).reason, osError: code))
                    return
                }
            } else {
                rest = data.dropFirst(written)
            }
        }
        enqueue(rest)
        queuedBytes += rest.count
        if !isDelivering { watchers.startWriting() }  // otherwise the flush after delivery decides
        if case .push(let streaming)? = producer, !producerPaused, queuedBytes > Self.highWaterMark {
            producerPaused = true
            streaming.pauseProducing()
        }
    }

    /// Queues `data` behind what is already queued. A small write is copied, so the queue keeps no
    /// reference to the caller's buffer (a protocol that builds each message in a scratch buffer
    /// can reuse it at once) and many small writes become one chunk of the next `writev`: during
    /// `dataReceived` into the loop's shared `sendScratch`, otherwise into a buffer the connection
    /// owns (appended to the last one when it can). A large write is queued as the caller's
    /// slice, not copied.
    private func enqueue(_ data: ArraySlice<UInt8>) {
        guard data.count <= Self.copyThreshold else {
            moveScratchIntoQueue()
            queue.append(data)
            lastChunkIsOwned = false
            return
        }
        if isDelivering {
            // Deliveries never nest (one reactor pass at a time per thread), so the scratch is
            // empty whenever a delivering connection first writes into it.
            assert(
                scratchBytes > 0 || loop.sendScratch.isEmpty,
                "the loop's send scratch is in use by another connection"
            )
            loop.sendScratch.append(contentsOf: data)
            scratchBytes += data.count
            return
        }
        if lastChunkIsOwned, queue.count > queueHead {
            queue[queue.count - 1].append(contentsOf: data)
        } else {
            // Small writes from outside `dataReceived` (timers, other connections' handlers): sized
            // to stay in glibc's per-thread cache of small blocks (a 4 KiB block is not), since a
            // fresh one is made whenever the queue had drained; it grows by doubling as needed.
            var owned = ArraySlice<UInt8>()
            owned.reserveCapacity(Self.ownedChunkCapacity)
            owned.append(contentsOf: data)
            queue.append(owned)
            lastChunkIsOwned = true
        }
    }

    /// Moves this connection's unsent bytes out of the loop's `sendScratch` into its own queue (a
    /// copy; only when a flush could not send them all, or a large write must queue behind them),
    /// and empties the scratch for the next delivery.
    private func moveScratchIntoQueue() {
        guard scratchBytes > 0 else { return }
        if scratchSent < scratchBytes {
            queue.append(ArraySlice(Array(loop.sendScratch[scratchSent..<scratchBytes])))
            lastChunkIsOwned = true
        }
        releaseScratch()
    }

    /// Empties the loop's `sendScratch` of this connection's bytes (sent, moved, or dropped because
    /// the connection failed). A scratch grown past 64 KiB by one large burst is given back.
    private func releaseScratch() {
        guard scratchBytes > 0 else { return }
        scratchBytes = 0
        scratchSent = 0
        if loop.sendScratch.capacity > 65_536 {
            loop.sendScratch = []
        } else {
            loop.sendScratch.removeAll(keepingCapacity: true)
        }
    }

    func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { write(chunk) }
    }

    override func handleWritable() {
        guard state == .connected || state == .disconnecting else {
            watchers.stopWriting()
            return
        }
        guard writeQueued() else { return }
        drained()
    }

    /// Writes what is queued with `writev` until it is all sent or the socket is full. Returns
    /// false when a write error closed the connection.
    private func writeQueued() -> Bool {
        while queuedBytes > 0 {
            let written = gatherAndWrite(from: queueHead, chunks: 0, into: nil)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                close(reason: Failure(ConnectionLost(SystemCallError("writev", code: code).reason, osError: code)))
                return false
            }
            consume(written)
        }
        return true
    }

    /// Sends what the protocol wrote during `dataReceived`, gathered, right after it returned. What
    /// the socket does not take waits for the writable event; when everything went out, this ends
    /// as a write that went out at once would have.
    private func flushAfterDelivery() {
        // Whatever happens here, the scratch is this connection's no longer when this returns.
        defer { moveScratchIntoQueue() }
        guard queuedBytes > 0, state == .connected || state == .disconnecting, writeQueued() else { return }
        if queuedBytes > 0 {
            watchers.startWriting()
            return
        }
        if case .push(let streaming)? = producer, producerPaused {
            producerPaused = false
            streaming.resumeProducing()
        }
        // A pull producer asks for more on the next pass (a disconnecting connection already
        // watches for writability, and closes from there).
        if case .pull? = producer { watchers.startWriting() }
    }

    /// Writes up to ``maximumChunksPerWrite`` queued chunks with one `writev`, holding each chunk's
    /// bytes pinned while the call runs (one nested `withUnsafeBytes` per chunk).
    private func gatherAndWrite(from index: Int, chunks: Int, into vectors: UnsafeMutablePointer<iovec>?) -> Int {
        guard let vectors else {
            return withUnsafeTemporaryAllocation(of: iovec.self, capacity: Self.maximumChunksPerWrite) { buffer in
                gatherAndWrite(from: index, chunks: 0, into: buffer.baseAddress!)
            }
        }
        if chunks == Self.maximumChunksPerWrite {
            return Glibc.writev(fd, vectors, Int32(chunks))
        }
        if index == queue.count {
            guard scratchSent < scratchBytes else { return Glibc.writev(fd, vectors, Int32(chunks)) }
            return loop.sendScratch.withUnsafeBytes { bytes in
                vectors[chunks] = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + scratchSent),
                    iov_len: scratchBytes - scratchSent
                )
                return Glibc.writev(fd, vectors, Int32(chunks + 1))
            }
        }
        return queue[index].withUnsafeBytes { bytes in
            vectors[chunks] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
            return gatherAndWrite(from: index + 1, chunks: chunks + 1, into: vectors)
        }
    }

    /// Drops `count` sent bytes from the front of the queue.
    private func consume(_ count: Int) {
        queuedBytes -= count
        var remaining = count
        while remaining > 0, queueHead < queue.count {
            let chunk = queue[queueHead]
            if chunk.count <= remaining {
                remaining -= chunk.count
                queue[queueHead] = []
                queueHead += 1
            } else {
                queue[queueHead] = chunk.dropFirst(remaining)
                remaining = 0
            }
        }
        scratchSent += remaining  // the rest was sent from the loop's scratch, after the queue
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
            lastChunkIsOwned = false
        } else if queueHead > 64, queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
    }

    /// After a flush: stop watching for writability once empty, close a disconnecting connection,
    /// and drive the producer.
    private func drained() {
        if case .push(let streaming)? = producer, producerPaused, queuedBytes <= Self.lowWaterMark {
            producerPaused = false
            streaming.resumeProducing()
        }
        guard queuedBytes == 0, state == .connected || state == .disconnecting else { return }
        watchers.stopWriting()
        if shutWriteWhenDrained, !writeClosed {
            writeClosed = true
            shutdown(fd, Int32(SHUT_WR))
            if let receiver = protocolInstance, let halfCloseable = receiver as? any HalfCloseableProtocol {
                notifyHalfClose(receiver) { try halfCloseable.writeConnectionLost() }
            }
            if state == .connected { return }
        }
        // Disconnecting and drained: close — unless a pull producer is registered, which is asked
        // for more until it unregisters (a streaming producer does not hold the close; it hears
        // stopProducing() when the connection goes, as in Twisted).
        switch producer {
        case .pull(let pulled)?:
            pulled.resumeProducing()
        case .push?, nil:
            if state == .disconnecting { close(reason: Failure(ConnectionDone())) }
        }
    }

    // MARK: Closing

    func loseConnection() {
        guard state == .connected else { return }
        state = .disconnecting
        watchers.stopReading()
        // Writable fires on the next pass even with nothing queued, and closes from the loop (or
        // asks a registered pull producer for more, until it unregisters).
        watchers.startWriting()
    }

    func abortConnection() {
        fail(ConnectionAborted())
    }

    /// Stops everything now and closes on the next loop pass with `reason` (never re-entrantly).
    private func fail(_ reason: NetworkError) {
        guard state == .connected || state == .disconnecting else { return }
        state = .closing
        watchers.stop()
        queue.removeAll()
        queueHead = 0
        lastChunkIsOwned = false
        releaseScratch()
        queuedBytes = 0
        reactor.callLater(0) { [self] in close(reason: Failure(reason)) }
    }

    override func closeForShutdown() {
        close(reason: Failure(ConnectionLost("the reactor is shutting down")))
    }

    /// Closes the socket and tells the producer, the protocol, then whoever made the connection.
    private func close(reason: Failure) {
        guard state != .closed else { return }
        state = .closed
        watchers.stop()
        Sockets.close(fd)
        loop.unregister(self)
        queue.removeAll()
        lastChunkIsOwned = false
        releaseScratch()
        queuedBytes = 0
        let producer = self.producer
        self.producer = nil
        producer?.producer.stopProducing()
        let receiver = protocolInstance
        protocolInstance = nil
        receiver?.deliverConnectionLost(reason: reason)
        let onClosed = self.onClosed
        self.onClosed = nil
        onClosed?(reason)
    }

    // MARK: Producers

    func registerProducer(_ producer: RegisteredProducer) throws {
        guard self.producer == nil else {
            throw ProducerRegistrationError("a producer is already registered with this transport")
        }
        guard state == .connected || state == .disconnecting else {
            producer.producer.stopProducing()
            return
        }
        self.producer = producer
        producerPaused = false
        switch producer {
        case .pull(let pulled):
            pulled.resumeProducing()
        case .push(let streaming):
            if queuedBytes > Self.highWaterMark {
                producerPaused = true
                streaming.pauseProducing()
            }
        }
    }

    func unregisterProducer() {
        producer = nil
        producerPaused = false
        if state == .disconnecting { watchers.startWriting() }
    }

    // MARK: The transport as a producer (its reading side)

    func pauseProducing() {
        readingPaused = true
        watchers.stopReading()
    }

    func resumeProducing() {
        readingPaused = false
        if state == .connected, !readClosed { watchers.startReading() }
    }

    func stopProducing() {
        loseConnection()
    }
}
