/// A small deterministic generator (SplitMix64), so a failing property test reproduces from its
/// seed: the same `state` always gives the same sequence.
public struct SeededGenerator: RandomNumberGenerator {
    /// The generator's whole state; it advances by a fixed odd constant on every ``next()``.
    public var state: UInt64

    /// A generator seeded with `state`.
    public init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == UInt8 {
    /// `count` random bytes drawn from `random`.
    public static func random(count: Int, using random: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }
}

/// Splits `bytes` into consecutive chunks of `size` bytes (the last may be shorter); together
/// they are `bytes`, in order.
public func chunks(of bytes: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
    stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<Swift.min($0 + size, bytes.count)] }
}

/// Splits `bytes` at random points into consecutive chunks of 1 to `maxSize` bytes; together
/// they are `bytes`, in order.
public func randomChunks(of bytes: [UInt8], maxSize: Int, using random: inout SeededGenerator) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var start = 0
    while start < bytes.count {
        let end = Swift.min(bytes.count, start + Int.random(in: 1...maxSize, using: &random))
        result.append(bytes[start..<end])
        start = end
    }
    return result
}
