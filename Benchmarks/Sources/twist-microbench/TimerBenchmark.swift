import Foundation
import Twist
import TwistTesting

/// Delayed-call costs with many calls already pending: shows that scheduling, cancelling and
/// rescheduling stay O(log n) as the number of pending calls grows from 1,000 to 100,000.
///
/// Each measurement takes a reactor (not running: the timer queue is the same one the loop
/// drives) holding `pending` calls at random due times, then times `operations` more adds,
/// resets and cancels at random due times among them.
struct TimerBenchmark {
    struct Row {
        let pending: Int
        let addNanoseconds: Double
        let resetNanoseconds: Double
        let cancelNanoseconds: Double
        let fireNanoseconds: Double
    }

    let pendingCounts: [Int]
    let operations: Int
    let repetitions: Int

    func run() -> [Row] {
        pendingCounts.map { pending in
            var adds: [Double] = []
            var resets: [Double] = []
            var cancels: [Double] = []
            var fires: [Double] = []
            for repetition in 0..<repetitions {
                let sample = measure(pending: pending, seed: UInt64(repetition + 1))
                adds.append(sample.add)
                resets.append(sample.reset)
                cancels.append(sample.cancel)
                fires.append(sample.fire)
            }
            return Row(
                pending: pending,
                addNanoseconds: median(adds), resetNanoseconds: median(resets),
                cancelNanoseconds: median(cancels), fireNanoseconds: median(fires)
            )
        }
    }

    private func measure(pending: Int, seed: UInt64) -> (add: Double, reset: Double, cancel: Double, fire: Double) {
        var random = SplitMix64(seed: seed)
        let reactor = Reactor()
        var background: [DelayedCall] = []
        background.reserveCapacity(pending)
        for _ in 0..<pending {
            background.append(reactor.callLater(100 + Double.random(in: 0..<1_000, using: &random)) {})
        }
        let delays = (0..<operations).map { _ in 100 + Double.random(in: 0..<1_000, using: &random) }
        var calls: [DelayedCall] = []
        calls.reserveCapacity(operations)

        let add = nanosecondsPerOperation(operations) {
            for delay in delays { calls.append(reactor.callLater(delay) {}) }
        }
        let reset = nanosecondsPerOperation(operations) {
            for (call, delay) in zip(calls, delays.reversed()) { try? call.reset(to: delay) }
        }
        calls.shuffle(using: &random)
        let cancel = nanosecondsPerOperation(operations) {
            for call in calls { try? call.cancel() }
        }
        // Firing: a test clock with the same population, advanced past the first `operations` calls.
        let clock = TestClock()
        for _ in 0..<pending { clock.callLater(1_000 + Double.random(in: 0..<1_000, using: &random)) {} }
        var fired = 0
        for index in 0..<operations { clock.callLater(Double(index) / Double(operations)) { fired += 1 } }
        let fire = nanosecondsPerOperation(operations) { try? clock.advance(1) }
        precondition(fired == operations, "every due call fires")
        withExtendedLifetime(background) {}
        return (add, reset, cancel, fire)
    }
}

/// Times `body`, which performs `count` operations, and returns nanoseconds per operation.
func nanosecondsPerOperation(_ count: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let elapsed = clock.measure(body)
    let (seconds, attoseconds) = elapsed.components
    return (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(count)
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// A small seeded generator so runs are repeatable.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Delayed calls fired by the running libev loop: `count` zero-delay calls scheduled before
/// `run()`, the last one stopping the reactor. Reports nanoseconds per call, loop included.
func reactorFireNanoseconds(count: Int) -> Double {
    let reactor = Reactor()
    var fired = 0
    for _ in 0..<count - 1 { reactor.callLater(0) { fired += 1 } }
    reactor.callLater(0) {
        fired += 1
        try reactor.stop()
    }
    let perCall = nanosecondsPerOperation(count) { try? reactor.run() }
    precondition(fired == count, "every call fires")
    return perCall
}

/// `callFromThread` from one other thread into a running reactor: nanoseconds per call, from the
/// first post to the last call having run.
func callFromThreadNanoseconds(count: Int) -> Double {
    let reactor = Reactor()
    final class Counter: @unchecked Sendable { var value = 0 }
    let counter = Counter()  // touched only on the reactor thread
    reactor.callWhenRunning {
        let poster = Thread {
            for _ in 0..<count {
                reactor.callFromThread {
                    counter.value += 1
                    if counter.value == count { try reactor.stop() }
                }
            }
        }
        poster.start()
    }
    return nanosecondsPerOperation(count) { try? reactor.run() }
}
