import Glibc

/// The bytes a stream connection has been asked to send and has not sent yet, in order, and the
/// gather that hands them to `writev` (SwiftNIO calls its twin `PendingWritesManager`).
///
/// Three regimes keep small writes cheap and large ones uncopied:
/// - **gathering**: while the connection's protocol runs `dataReceived`, the queue holds the
///   reactor's send scratch (``beginGathering(lending:)``) and small writes are appended to it, to
///   go out with one `writev` when `dataReceived` returns; ``endGathering(returning:)`` copies
///   whatever the socket did not take into a chunk of the queue's own and gives the scratch back.
/// - **owned**: small writes made at other times (timers, other connections' handlers) are copied
///   into a buffer the queue owns, appended to the last one while it is still queued.
/// - **referenced**: writes larger than ``copyThreshold`` are queued as the caller's slice, not
///   copied.
///
/// Order is call order whatever the regime: scratch bytes always come after every chunk, and a
/// large write first moves the scratch's bytes into a chunk so that it queues behind them.
///
/// A value type with no system calls: ``write(_:)`` takes the `writev` to make as a closure, so
/// the queue is tested without a socket.
struct WriteQueue {
    /// Writes up to this size are copied (see the type's regimes); larger ones are referenced.
    static let copyThreshold = 1_024
    /// The first capacity of a buffer the queue owns (with Swift's array header, just under
    /// glibc's 1,032-byte limit for its per-thread cache of small blocks).
    static let ownedChunkCapacity = 960
    /// The most chunks one `writev` gathers, the scratch counted as one.
    static let maximumChunksPerWrite = 64
    /// Queued bytes above which a registered streaming producer is paused (Twisted's `bufferSize`).
    static let highWaterMark = 65_536
    /// Queued bytes at or below which a paused streaming producer is resumed.
    static let lowWaterMark = 16_384

    private var chunks: [ArraySlice<UInt8>] = []
    /// The first chunk not yet fully sent; chunks before it are emptied and trimmed in batches.
    private var head = 0
    /// The last chunk is the queue's own buffer, which small writes may be appended to.
    private var lastChunkIsOwned = false
    /// The reactor's send scratch while gathering (else an empty array), and how many of its
    /// bytes were sent.
    private var scratch: [UInt8] = []
    private var scratchSent = 0
    /// True between ``beginGathering(lending:)`` and ``endGathering(returning:)``.
    private(set) var isGathering = false
    /// Bytes queued and not yet sent, the scratch's included.
    private(set) var byteCount = 0

    init() {}

    /// Nothing is waiting to be sent.
    var isEmpty: Bool { byteCount == 0 }

    /// More than ``highWaterMark`` bytes are waiting: a streaming producer should pause.
    var isAboveHighWaterMark: Bool { byteCount > Self.highWaterMark }

    /// At most ``lowWaterMark`` bytes are waiting: a paused streaming producer may resume.
    var isAtOrBelowLowWaterMark: Bool { byteCount <= Self.lowWaterMark }

    // MARK: Queueing

    /// Queues `data` behind everything queued before it (see the regimes above). Empty data is
    /// ignored.
    @inline(__always)
    mutating func append(_ data: ArraySlice<UInt8>) {
        guard !data.isEmpty else { return }
        byteCount += data.count
        if data.count > Self.copyThreshold {
            appendReferenced(data)
        } else if isGathering {
            scratch.append(contentsOf: data)
        } else {
            appendOwned(data)
        }
    }

    /// Queues a copy of `bytes` behind everything queued before it: into the scratch while
    /// gathering, else into an owned chunk (however large: the caller's memory is not kept).
    /// Empty bytes are ignored.
    @inline(__always)
    mutating func append(copying bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        byteCount += bytes.count
        bytes.withMemoryRebound(to: UInt8.self) { bytes in
            if isGathering && bytes.count <= Self.copyThreshold {
                scratch.append(contentsOf: bytes)
            } else {
                moveScratchIntoChunks()
                appendOwned(bytes)
            }
        }
    }

    private mutating func appendReferenced(_ data: ArraySlice<UInt8>) {
        moveScratchIntoChunks()
        chunks.append(data)
        lastChunkIsOwned = false
    }

    private mutating func appendOwned(_ data: some Collection<UInt8>) {
        if lastChunkIsOwned, chunks.count > head {
            chunks[chunks.count - 1].append(contentsOf: data)
        } else {
            // A fresh buffer is made whenever the queue had drained, so it starts small enough to
            // come from glibc's per-thread cache; it grows by doubling as needed.
            var owned = ArraySlice<UInt8>()
            owned.reserveCapacity(Self.ownedChunkCapacity)
            owned.append(contentsOf: data)
            chunks.append(owned)
            lastChunkIsOwned = true
        }
    }

    // MARK: Gathering during a delivery

    /// Takes the reactor's (empty) send scratch for one delivery: small writes go into it until
    /// ``endGathering(returning:)``.
    @inline(__always)
    mutating func beginGathering(lending scratch: inout [UInt8]) {
        assert(!isGathering && self.scratch.isEmpty, "a delivery began while another one was open")
        swap(&self.scratch, &scratch)
        isGathering = true
    }

    /// Ends the delivery: the scratch's unsent bytes are copied into a chunk of the queue's own,
    /// and the scratch, emptied, goes back to `home`.
    @inline(__always)
    mutating func endGathering(returning home: inout [UInt8]) {
        moveScratchIntoChunks()
        isGathering = false
        swap(&scratch, &home)
    }

    /// Copies the scratch's unsent bytes into an owned chunk and empties the scratch, keeping its
    /// capacity (a copy made only when a flush could not send everything, or a large write must
    /// queue behind the scratch).
    private mutating func moveScratchIntoChunks() {
        guard !scratch.isEmpty else { return }
        if scratchSent < scratch.count {
            chunks.append(ArraySlice(Array(scratch[scratchSent...])))
            lastChunkIsOwned = true
        }
        scratchSent = 0
        scratch.removeAll(keepingCapacity: true)
    }

    /// Replaces each queued chunk whose bytes lie in `region` by a copy of its unsent bytes.
    ///
    /// A connection calls this with the reactor's receive buffer when a delivery's writes did
    /// not all go out: a protocol that wrote back a view of what it received (an echo) would
    /// otherwise keep the whole shared buffer alive, and make the next read copy all of it
    /// first. Only what is still unsent is copied, and only when the peer is slow.
    mutating func copyChunks(aliasing region: UnsafeRawBufferPointer) {
        guard let regionStart = region.baseAddress, head < chunks.count else { return }
        let regionEnd = regionStart + region.count
        for index in head..<chunks.count {
            let aliases = chunks[index].withUnsafeBytes { bytes in
                bytes.baseAddress.map { $0 >= regionStart && $0 < regionEnd } ?? false
            }
            // Through a buffer pointer: `Array(slice)` of a slice spanning its whole array would
            // share that array's storage instead of copying it.
            if aliases { chunks[index] = chunks[index].withUnsafeBufferPointer { ArraySlice(Array($0)) } }
        }
    }

    // MARK: Sending

    /// Gathers up to ``maximumChunksPerWrite`` chunks (and the scratch's unsent bytes) into an
    /// `iovec` array, calls `writev` with it while every chunk is pinned, and consumes what it
    /// reports written. Returns `writev`'s result: bytes written, or a negative value on error
    /// (nothing is consumed then; `errno` is the caller's to read).
    @inline(__always)
    mutating func write(_ writev: (UnsafePointer<iovec>, Int32) -> Int) -> Int {
        let written = withUnsafeTemporaryAllocation(of: iovec.self, capacity: Self.maximumChunksPerWrite) {
            gather(from: head, count: 0, into: $0.baseAddress!, writev)
        }
        if written > 0 { consume(written) }
        return written
    }

    /// One nested `withUnsafeBytes` per chunk, so every chunk's bytes stay pinned until the
    /// innermost call has made the `writev`.
    private func gather(
        from index: Int, count: Int, into vectors: UnsafeMutablePointer<iovec>,
        _ writev: (UnsafePointer<iovec>, Int32) -> Int
    ) -> Int {
        if count == Self.maximumChunksPerWrite { return writev(vectors, Int32(count)) }
        if index == chunks.count {
            guard scratchSent < scratch.count else { return writev(vectors, Int32(count)) }
            return scratch.withUnsafeBytes { bytes in
                vectors[count] = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + scratchSent),
                    iov_len: bytes.count - scratchSent
                )
                return writev(vectors, Int32(count + 1))
            }
        }
        return chunks[index].withUnsafeBytes { bytes in
            vectors[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
            return gather(from: index + 1, count: count + 1, into: vectors, writev)
        }
    }

    /// Drops `count` sent bytes from the front: whole chunks, then part of one, then the scratch.
    mutating func consume(_ count: Int) {
        precondition(count <= byteCount, "consumed more bytes than were queued")
        byteCount -= count
        var remaining = count
        while remaining > 0, head < chunks.count {
            let chunk = chunks[head]
            if chunk.count <= remaining {
                remaining -= chunk.count
                chunks[head] = []
                head += 1
            } else {
                chunks[head] = chunk.dropFirst(remaining)
                remaining = 0
            }
        }
        scratchSent += remaining  // what is left was sent from the scratch, after the chunks
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
            lastChunkIsOwned = false
        } else if head > 64, head * 2 > chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }

    /// Drops everything queued (an aborted or closed connection). A held scratch is emptied but
    /// kept until ``endGathering(returning:)`` gives it back.
    mutating func removeAll() {
        chunks = []
        head = 0
        lastChunkIsOwned = false
        scratch.removeAll(keepingCapacity: true)
        scratchSent = 0
        byteCount = 0
    }

    /// How many chunks are queued (the scratch not counted): for tests.
    var chunkCount: Int { chunks.count - head }
}
