import Glibc
@testable import Twist

import Testing

/// The write queue without a socket: a fake `writev` takes a chosen number of bytes per call, and
/// whatever the regime a write went through (gathered in the scratch, copied into an owned chunk,
/// or referenced), the bytes come out whole and in call order.
@Suite struct WriteQueueTests {
    /// A fake descriptor: each `writev` takes at most `limit` bytes (or fails, when told to), and
    /// what it took is appended to `sent`.
    struct FakeWriter {
        var sent: [UInt8] = []
        var calls = 0
        var largestVectorCount: Int32 = 0

        mutating func writev(_ vectors: UnsafePointer<iovec>, _ count: Int32, limit: Int) -> Int {
            calls += 1
            largestVectorCount = max(largestVectorCount, count)
            var taken = 0
            for index in 0..<Int(count) where taken < limit {
                let vector = vectors[index]
                let bytes = UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)
                let take = min(bytes.count, limit - taken)
                sent.append(contentsOf: bytes.prefix(take))
                taken += take
            }
            return taken
        }
    }

    /// Writes everything queued, at most `limit` bytes per `writev`, into `writer`.
    static func drain(_ queue: inout WriteQueue, limit: Int, into writer: inout FakeWriter) {
        while !queue.isEmpty {
            let before = queue.byteCount
            let written = queue.write { writer.writev($0, $1, limit: limit) }
            #expect(written > 0 && written <= min(limit, before))
            #expect(queue.byteCount == before - written)
        }
    }

    /// A mix of every regime's sizes, each write's bytes distinct from its neighbours'.
    static func mixedWrites() -> [[UInt8]] {
        let sizes = [1, 7, 1_024, 1_025, 3, 40_000, 16, 900, 2_048, 5, 70_000, 1, 64]
        return sizes.enumerated().map { index, size in
            (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &* 7) }
        }
    }

    @Test func partialWritesOfEverySizeKeepEveryByteInOrder() {
        let writes = Self.mixedWrites()
        let expected = writes.flatMap { $0 }
        // Every limit from 1 to 64, then coarser ones up to more than everything queued.
        let limits = Array(1...64) + [100, 1_000, 1_023, 1_024, 1_025, 4_096, 65_536, expected.count + 1]
        for limit in limits {
            var queue = WriteQueue()
            for write in writes { queue.append(write[...]) }
            #expect(queue.byteCount == expected.count)
            var writer = FakeWriter()
            Self.drain(&queue, limit: limit, into: &writer)
            #expect(writer.sent == expected, "limit \(limit)")
            #expect(queue.chunkCount == 0)
        }
    }

    @Test func gatheredWritesComeAfterQueuedOnesAndTheUnsentRestSurvivesTheDelivery() {
        var home: [UInt8] = []
        home.reserveCapacity(4_096)
        var queue = WriteQueue()
        queue.append(Array(repeating: 1, count: 10)[...])  // owned, queued before the delivery
        queue.beginGathering(lending: &home)
        #expect(home.isEmpty && home.capacity == 0, "the reactor keeps nothing while the scratch is lent")
        queue.append(Array(repeating: 2, count: 5)[...])  // scratch
        queue.append(Array(repeating: 3, count: 2_000)[...])  // large: moves the scratch's bytes first
        queue.append(Array(repeating: 4, count: 6)[...])  // scratch again
        var writer = FakeWriter()
        let written = queue.write { writer.writev($0, $1, limit: 12) }
        #expect(written == 12)
        queue.endGathering(returning: &home)
        #expect(home.isEmpty && home.capacity >= 6, "the scratch came back empty, capacity kept")
        #expect(!queue.isGathering)
        Self.drain(&queue, limit: 7, into: &writer)
        let expected = [UInt8](repeating: 1, count: 10) + [UInt8](repeating: 2, count: 5)
            + [UInt8](repeating: 3, count: 2_000) + [UInt8](repeating: 4, count: 6)
        #expect(writer.sent == expected)
    }

    @Test func everyGatheredByteSentMeansNothingIsCopiedAtTheEnd() {
        var home: [UInt8] = []
        var queue = WriteQueue()
        queue.beginGathering(lending: &home)
        for index in 0..<16 { queue.append(Array(repeating: UInt8(index), count: 32)[...]) }
        #expect(queue.chunkCount == 0, "small writes during a delivery make no chunks")
        var writer = FakeWriter()
        #expect(queue.write { writer.writev($0, $1, limit: .max) } == 512)
        #expect(writer.calls == 1 && writer.largestVectorCount == 1)
        queue.endGathering(returning: &home)
        #expect(queue.isEmpty && queue.chunkCount == 0)
    }

    @Test func theCallersBufferMayChangeRightAfterTheWrite() {
        var queue = WriteQueue()
        var buffer = [UInt8](repeating: 7, count: 100)
        queue.append(buffer[...])
        for index in buffer.indices { buffer[index] = 0 }
        var large = [UInt8](repeating: 8, count: 5_000)
        queue.append(large[...])
        large[0] = 0
        var writer = FakeWriter()
        Self.drain(&queue, limit: 333, into: &writer)
        #expect(writer.sent == [UInt8](repeating: 7, count: 100) + [UInt8](repeating: 8, count: 5_000))
    }

    @Test func copiedWritesOfEverySizeKeepTheirPlaceInsideAndOutsideADelivery() {
        var home: [UInt8] = []
        var queue = WriteQueue()
        var expected: [UInt8] = []
        func copy(_ count: Int, _ value: UInt8) {
            let bytes = [UInt8](repeating: value, count: count)
            bytes.withUnsafeBytes { queue.append(copying: $0) }
            expected += bytes
        }
        copy(10, 1)  // owned
        copy(3_000, 2)  // large, still copied: the caller's memory is not kept
        queue.beginGathering(lending: &home)
        copy(20, 3)  // into the scratch
        queue.append([UInt8](repeating: 4, count: 2_000)[...])  // referenced, after the scratch's bytes
        expected += [UInt8](repeating: 4, count: 2_000)
        copy(5, 5)  // scratch again
        copy(1_500, 6)  // large during a delivery: behind the scratch, copied
        copy(0, 7)
        #expect(queue.byteCount == expected.count)
        var writer = FakeWriter()
        _ = queue.write { writer.writev($0, $1, limit: 1_234) }
        queue.endGathering(returning: &home)
        #expect(home.isEmpty)
        Self.drain(&queue, limit: 777, into: &writer)
        #expect(writer.sent == expected)
    }

    @Test func oneWritevGathersAtMostTheLimitOfChunks() {
        var queue = WriteQueue()
        for index in 0..<(WriteQueue.maximumChunksPerWrite * 2 + 3) {
            queue.append([UInt8](repeating: UInt8(index % 256), count: 2_000)[...])
        }
        var writer = FakeWriter()
        Self.drain(&queue, limit: .max, into: &writer)
        #expect(writer.largestVectorCount == Int32(WriteQueue.maximumChunksPerWrite))
        #expect(writer.calls == 3)
        #expect(writer.sent.count == (WriteQueue.maximumChunksPerWrite * 2 + 3) * 2_000)
    }

    @Test func aFailedWritevConsumesNothing() {
        var queue = WriteQueue()
        queue.append([1, 2, 3][...])
        #expect(queue.write { _, _ in -1 } == -1)
        #expect(queue.byteCount == 3)
        var writer = FakeWriter()
        Self.drain(&queue, limit: 1, into: &writer)
        #expect(writer.sent == [1, 2, 3])
    }

    @Test func emptyWritesAreIgnored() {
        var queue = WriteQueue()
        queue.append([][...])
        #expect(queue.isEmpty && queue.chunkCount == 0)
    }

    @Test func smallWritesOutsideADeliveryShareOneOwnedChunk() {
        var queue = WriteQueue()
        for _ in 0..<100 { queue.append([1, 2, 3][...]) }
        #expect(queue.chunkCount == 1)
        queue.append([UInt8](repeating: 9, count: 2_000)[...])
        queue.append([4][...])
        #expect(queue.chunkCount == 3, "a referenced chunk ends the owned one; the next small write starts another")
    }

    @Test func waterMarksAreCrossedAtTheirBytes() {
        var queue = WriteQueue()
        queue.append([UInt8](repeating: 0, count: WriteQueue.highWaterMark)[...])
        #expect(!queue.isAboveHighWaterMark, "at the mark is not above it")
        queue.append([0][...])
        #expect(queue.isAboveHighWaterMark)
        #expect(!queue.isAtOrBelowLowWaterMark)
        queue.consume(queue.byteCount - WriteQueue.lowWaterMark - 1)
        #expect(!queue.isAtOrBelowLowWaterMark)
        queue.consume(1)
        #expect(queue.isAtOrBelowLowWaterMark && queue.byteCount == WriteQueue.lowWaterMark)
    }

    @Test func removeAllDuringADeliveryStillGivesTheScratchBack() {
        var home: [UInt8] = []
        home.reserveCapacity(128)
        var queue = WriteQueue()
        queue.beginGathering(lending: &home)
        queue.append([UInt8](repeating: 5, count: 100)[...])
        queue.append([UInt8](repeating: 6, count: 3_000)[...])
        queue.removeAll()
        #expect(queue.isEmpty)
        queue.endGathering(returning: &home)
        #expect(home.isEmpty && home.capacity >= 100)
        #expect(queue.isEmpty && queue.chunkCount == 0)
    }

    /// Many rounds of mixed writes, gathered or not, each drained in part with varying limits:
    /// what comes out is always a prefix of what went in, and everything once drained.
    @Test func interleavedDeliveriesAndPartialFlushesMatchAFIFO() {
        var home: [UInt8] = []
        var queue = WriteQueue()
        var expected: [UInt8] = []
        var writer = FakeWriter()
        var checked = 0  // how much of `writer.sent` was compared already
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for round in 0..<400 {
            let gathering = next(2) == 0
            if gathering { queue.beginGathering(lending: &home) }
            for _ in 0..<next(6) {
                let size = next(4) == 0 ? 1_000 + next(5_000) : 1 + next(200)
                let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ round) }
                queue.append(bytes[...])
                expected += bytes
            }
            if next(3) > 0 { _ = queue.write { writer.writev($0, $1, limit: 1 + next(3_000)) } }
            if gathering { queue.endGathering(returning: &home) }
            #expect(home.isEmpty)
            #expect(queue.byteCount == expected.count - writer.sent.count)
            #expect(writer.sent[checked...] == expected[checked..<writer.sent.count])
            checked = writer.sent.count
        }
        Self.drain(&queue, limit: 4_096, into: &writer)
        #expect(writer.sent == expected)
    }

    @Test func copyChunksCopiesOnlyTheUnsentBytesThatLieInTheRegion() {
        let shared = (0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let own = [UInt8](repeating: 9, count: 3_000)
        var queue = WriteQueue()
        queue.append(shared[...])             // the whole buffer: `Array(slice)` would share it
        queue.append(own[...])                // not in the region: stays referenced
        queue.append(shared[100..<2_100])     // a view inside the region
        var writer = FakeWriter()
        _ = queue.write { writer.writev($0, $1, limit: 1_000) }  // part of the first chunk went
        let sharedStart = shared.withUnsafeBytes { $0.baseAddress! }
        shared.withUnsafeBytes { queue.copyChunks(aliasing: $0) }
        // Nothing queued points into `shared` any more, and `own` is still referenced.
        var pointsIntoShared = false
        var ownStillReferenced = false
        let ownStart = own.withUnsafeBytes { $0.baseAddress! }
        _ = queue.write { vectors, count in
            for index in 0..<Int(count) {
                let base = UnsafeRawPointer(vectors[index].iov_base!)
                if base >= sharedStart && base < sharedStart + shared.count { pointsIntoShared = true }
                if base == ownStart { ownStillReferenced = true }
            }
            return 0
        }
        #expect(!pointsIntoShared)
        #expect(ownStillReferenced)
        Self.drain(&queue, limit: 4_096, into: &writer)
        #expect(writer.sent == shared + own + Array(shared[100..<2_100]))
    }
}
