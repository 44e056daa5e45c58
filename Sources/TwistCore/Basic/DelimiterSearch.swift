internal import Glibc

/// Finding a delimiter in received bytes, for the line receivers.
enum DelimiterSearch {
    /// The index (in `bytes`' own indices) where the first whole `delimiter` starts, or nil.
    static func firstIndex(of delimiter: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        let width = delimiter.count
        guard bytes.count >= width else { return nil }
        return delimiter.withUnsafeBufferPointer { needle in
            bytes.withUnsafeBufferPointer { haystack -> Int? in
                guard let base = haystack.baseAddress, let needleBase = needle.baseAddress else { return nil }
                let first = Int32(needle[0])
                var offset = 0
                while haystack.count - offset >= width {
                    guard let hit = memchr(base + offset, first, haystack.count - offset - width + 1) else {
                        return nil
                    }
                    let position = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                    if width == 1 || memcmp(base + position + 1, needleBase + 1, width - 1) == 0 {
                        return bytes.startIndex + position
                    }
                    offset = position + 1
                }
                return nil
            }
        }
    }

    /// How many leading bytes of `next` complete the first line when `held` (which holds no whole
    /// delimiter) comes before it: the bytes up to and including the end of the first delimiter
    /// in `held + next`, or nil when there is none yet. Only `next` is searched in full; `held`
    /// contributes at most its last `delimiter.count - 1` bytes, for a delimiter split across
    /// reads.
    static func bytesCompletingLine(held: [UInt8], next: ArraySlice<UInt8>, delimiter: [UInt8]) -> Int? {
        let width = delimiter.count
        // A delimiter that starts in `held`: try the earliest possible start first.
        var split = min(width - 1, held.count)
        while split > 0 {
            let rest = width - split
            if next.count >= rest,
               held[(held.count - split)...].elementsEqual(delimiter[..<split]),
               next.prefix(rest).elementsEqual(delimiter[split...]) {
                return rest
            }
            split -= 1
        }
        return firstIndex(of: delimiter, in: next).map { $0 - next.startIndex + width }
    }
}

extension Array where Element == UInt8 {
    /// The most a receiver's carry buffer keeps between messages: one that grew for a large
    /// message gives its memory back, so an idle connection does not pin the largest message it
    /// ever received.
    static let carryCapacityKept = 4_096

    /// Empties a receiver's carry buffer for the next message, keeping its storage when it is
    /// small (no allocation per message) and releasing it when a large message made it big.
    mutating func reset() {
        if capacity > Self.carryCapacityKept {
            self = []
        } else {
            removeAll(keepingCapacity: true)
        }
    }
}
