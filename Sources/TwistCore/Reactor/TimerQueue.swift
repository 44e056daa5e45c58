/// The pending delayed calls of one reactor or clock, ordered by due time, then by scheduling order.
///
/// An indexed binary min-heap: each ``DelayedCall`` knows its slot, so scheduling, cancelling and
/// rescheduling are all O(log n), and calls due at the same time run first-scheduled, first-run
/// (a deliberate difference from Twisted's reactor, whose heap does not keep that order).
/// Both the libev reactor and the test clock keep their calls here; only the policy of *when* to
/// run them differs.
package final class TimerQueue {
    // Dynamic exclusivity checks are switched off for the heap and the calls' heap fields: they
    // cost more than the heap work itself (measured), and every access is confined to one thread
    // and never overlaps another (no inout borrows of these properties escape a method).
    @exclusivity(unchecked) private var heap: [DelayedCall] = []
    /// The sequence number the next scheduled (or rescheduled) call will get.
    @exclusivity(unchecked) package private(set) var nextSequence: UInt64 = 0
    /// The owner's notion of now, in seconds; ``DelayedCall/reset(to:)`` counts from it.
    package let now: () -> Double

    /// Creates an empty queue whose calls reset relative to `now`.
    package init(now: @escaping () -> Double) {
        self.now = now
    }

    deinit {
        for call in heap { call.queue = nil }
    }

    /// The number of pending calls.
    package var count: Int { heap.count }

    /// When the earliest pending call is due, or nil when none is pending.
    package var earliestTime: Double? { heap.first?.time }

    /// The pending calls, earliest first.
    package var pendingCalls: [DelayedCall] {
        heap.sorted { Self.runsBefore($0, $1) }
    }

    /// Schedules `body` to run at `time`.
    package func schedule(at time: Double, _ body: @escaping () throws -> Void) -> DelayedCall {
        let call = DelayedCall(time: time, sequence: takeSequence(), queue: self, body: body)
        call.heapIndex = heap.count
        heap.append(call)
        siftUp(from: call.heapIndex)
        return call
    }

    /// Cancels every pending call, earliest first, releasing their bodies.
    package func cancelAll() {
        let calls = heap
        heap.removeAll()
        for call in calls {
            call.heapIndex = -1
            call.queue = nil
            try? call.cancel()
        }
    }

    /// Removes and returns the earliest call if it is due at or before `time` and was scheduled
    /// before the sequence number `limit` (pass ``nextSequence`` read earlier to leave out calls
    /// scheduled since then, or nil for no limit).
    package func popDue(notAfter time: Double, scheduledBefore limit: UInt64? = nil) -> DelayedCall? {
        guard let first = heap.first, first.time <= time else { return nil }
        if let limit, first.sequence >= limit { return nil }
        remove(first)
        return first
    }

    /// Takes `call` out of the heap (it must be pending here).
    func remove(_ call: DelayedCall) {
        let index = call.heapIndex
        guard index >= 0, index < heap.count, heap[index] === call else { return }
        let last = heap.removeLast()
        call.heapIndex = -1
        call.queue = nil
        if index < heap.count {
            heap[index] = last
            last.heapIndex = index
            if !siftUp(from: index) { siftDown(from: index) }
        }
    }

    /// Moves a pending `call` to `time`, as if scheduled anew (it goes after calls already due then).
    func reschedule(_ call: DelayedCall, at time: Double) {
        call.time = time
        call.sequence = takeSequence()
        let index = call.heapIndex
        guard index >= 0, index < heap.count, heap[index] === call else { return }
        if !siftUp(from: index) { siftDown(from: index) }
    }

    private func takeSequence() -> UInt64 {
        defer { nextSequence &+= 1 }
        return nextSequence
    }

    @inline(__always)
    private static func runsBefore(_ a: DelayedCall, _ b: DelayedCall) -> Bool {
        a.time < b.time || (a.time == b.time && a.sequence < b.sequence)
    }

    /// Moves the call at `index` towards the root; returns whether it moved.
    @discardableResult
    private func siftUp(from index: Int) -> Bool {
        let call = heap[index]
        var hole = index
        while hole > 0 {
            let parent = (hole - 1) / 2
            let parentCall = heap[parent]
            guard Self.runsBefore(call, parentCall) else { break }
            heap[hole] = parentCall
            parentCall.heapIndex = hole
            hole = parent
        }
        guard hole != index else { return false }
        heap[hole] = call
        call.heapIndex = hole
        return true
    }

    /// Moves the call at `index` towards the leaves.
    private func siftDown(from index: Int) {
        let call = heap[index]
        let count = heap.count
        var hole = index
        while true {
            let left = 2 * hole + 1
            guard left < count else { break }
            var child = left
            let right = left + 1
            if right < count, Self.runsBefore(heap[right], heap[left]) { child = right }
            let childCall = heap[child]
            guard Self.runsBefore(childCall, call) else { break }
            heap[hole] = childCall
            childCall.heapIndex = hole
            hole = child
        }
        if hole != index {
            heap[hole] = call
            call.heapIndex = hole
        }
    }
}
