import Glibc
@testable import Twist

import Testing

/// The reactor's I/O buffers are lent by moving them out: a second borrower can only ever get a
/// buffer of its own, and what comes back is what the next delivery gets.
@Suite struct IOResourcesTests {
    @Test func theReceiveBufferIsMovedOutAndANestedBorrowerGetsItsOwn() {
        let resources = IOResources()
        #expect(resources.isIdle)
        var first = resources.lendReceiveBuffer()
        #expect(first.count == IOResources.receiveBufferSize)
        #expect(!resources.isIdle)
        first[0] = 42
        let nested = resources.lendReceiveBuffer()
        #expect(nested.count == IOResources.receiveBufferSize)
        let distinct = first.withUnsafeBufferPointer { a in nested.withUnsafeBufferPointer { b in a.baseAddress != b.baseAddress } }
        #expect(distinct, "two borrowers never share one buffer")
        #expect(nested[0] == 0)
        resources.returnReceiveBuffer(nested)
        resources.returnReceiveBuffer(first)
        #expect(resources.isIdle)
        #expect(resources.lendReceiveBuffer()[0] == 42, "the last buffer returned is the one lent next")
    }

    @Test func theSendScratchComesBackEmptyKeepsItsCapacityUnlessABurstGrewIt() {
        let resources = IOResources()
        var scratch = resources.lendSendScratch()
        #expect(scratch.isEmpty)
        scratch.append(contentsOf: [UInt8](repeating: 1, count: 500))
        scratch.removeAll(keepingCapacity: true)
        let kept = scratch.capacity
        resources.returnSendScratch(scratch)
        #expect(resources.isIdle)
        #expect(resources.lendSendScratch().capacity == kept, "a small scratch is kept with its capacity")

        var grown: [UInt8] = []
        grown.reserveCapacity(IOResources.sendScratchRetainLimit + 1)
        resources.returnSendScratch(grown)
        #expect(resources.lendSendScratch().capacity == 0, "one a burst grew past the limit is let go")
    }

    @Test func theReserveDescriptorIsSpentOnceAndReopened() {
        let resources = IOResources()
        #expect(!resources.spendReserveDescriptor(), "nothing to spend before it is opened")
        resources.openReserveDescriptor()
        #expect(resources.spendReserveDescriptor())
        #expect(!resources.spendReserveDescriptor(), "spent already")
        resources.openReserveDescriptor()
        resources.openReserveDescriptor()  // opening twice keeps one
        #expect(resources.spendReserveDescriptor())
        #expect(!resources.spendReserveDescriptor())
    }
}
