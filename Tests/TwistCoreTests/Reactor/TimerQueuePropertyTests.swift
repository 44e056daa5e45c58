import Testing
@testable import TwistCore
import TwistTesting
import TwistTestSupport

/// Random schedules, cancels, resets and delays against a plain sorted-list model: the heap must
/// run exactly the model's calls in the model's order.
@Suite struct TimerQueuePropertyTests {
    struct ModelCall {
        let id: Int
        var time: Double
        var order: Int
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomOperationsRunInModelOrder(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let clock = TestClock()
        var handles: [Int: DelayedCall] = [:]
        var model: [Int: ModelCall] = [:]
        var ran: [Int] = []
        var nextOrder = 0

        for id in 0..<2_000 {
            // Coarse delays so that many calls share a due time.
            let delay = Double(Int.random(in: 0...20, using: &random))
            handles[id] = clock.callLater(delay) { ran.append(id) }
            model[id] = ModelCall(id: id, time: delay, order: nextOrder)
            nextOrder += 1

            guard let victim = model.keys.randomElement(using: &random), Bool.random(using: &random) else { continue }
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                try handles[victim]!.cancel()
                model[victim] = nil
            case 1:
                let newDelay = Double(Int.random(in: 0...20, using: &random))
                try handles[victim]!.reset(to: newDelay)
                model[victim]!.time = newDelay
                model[victim]!.order = nextOrder
                nextOrder += 1
            default:
                let extra = Double(Int.random(in: -5...5, using: &random))
                try handles[victim]!.delay(by: extra)
                model[victim]!.time += extra
                model[victim]!.order = nextOrder
                nextOrder += 1
            }
        }
        let expected = model.values
            .sorted { ($0.time, $0.order) < ($1.time, $1.order) }
            .map(\.id)
        #expect(clock.pendingCalls.count == expected.count)
        try clock.advance(100)
        #expect(ran == expected)
    }
}
