import Testing
@testable import TwistCore

/// The receivers' carry buffer keeps small storage between messages (no allocation per message)
/// and gives large storage back (an idle connection does not pin its largest message).
@Suite struct CarryBufferTests {
    @Test func smallStorageIsKeptAndEmptied() {
        var carry: [UInt8] = []
        carry.reserveCapacity(100)
        carry.append(contentsOf: [1, 2, 3])
        let capacity = carry.capacity
        carry.reset()
        #expect(carry.isEmpty)
        #expect(carry.capacity == capacity)
    }

    @Test func largeStorageIsGivenBack() {
        var carry = [UInt8](repeating: 7, count: 100_000)
        carry.reset()
        #expect(carry.isEmpty)
        #expect(carry.capacity <= [UInt8].carryCapacityKept)
    }
}
