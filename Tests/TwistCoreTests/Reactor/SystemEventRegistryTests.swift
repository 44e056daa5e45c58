import Testing
@testable import TwistCore
import TwistTesting

/// The three-phase firing of system events, without a reactor.
@Suite struct SystemEventRegistryTests {
    let capture = LogCapture()
    var registry: SystemEventRegistry { SystemEventRegistry(logger: capture.logger()) }

    @Test func phasesRunBeforeThenDuringThenAfterAndTriggersInRegistrationOrder() {
        let registry = self.registry
        var order: [String] = []
        registry.add(.after, .shutdown) { order.append("after1"); return nil }
        registry.add(.during, .shutdown) { order.append("during1"); return nil }
        registry.add(.before, .shutdown) { order.append("before1"); return nil }
        registry.add(.before, .shutdown) { order.append("before2"); return nil }
        registry.add(.during, .shutdown) { order.append("during2"); return nil }
        var finished = false
        registry.fire(.shutdown) { finished = true }
        #expect(order == ["before1", "before2", "during1", "during2", "after1"])
        #expect(finished)
    }

    @Test func eventsAreIndependentOfEachOther() {
        let registry = self.registry
        var order: [String] = []
        registry.add(.during, .startup) { order.append("startup"); return nil }
        registry.add(.during, SystemEvent("custom")) { order.append("custom"); return nil }
        registry.fire(SystemEvent("custom"))
        #expect(order == ["custom"])
    }

    @Test func aBeforeCompletionHoldsBackTheDuringPhaseUntilItCompletes() {
        let registry = self.registry
        var order: [String] = []
        let work = TriggerCompletionSource()
        registry.add(.before, .shutdown) { order.append("before"); return work }
        registry.add(.during, .shutdown) { order.append("during"); return nil }
        registry.add(.after, .shutdown) { order.append("after"); return nil }
        registry.fire(.shutdown)
        #expect(order == ["before"])
        #expect(registry.isWaitingForBefore(.shutdown))
        work.complete()
        #expect(order == ["before", "during", "after"])
        #expect(!registry.isWaitingForBefore(.shutdown))
    }

    @Test func theDuringPhaseWaitsForEveryBeforeCompletion() {
        let registry = self.registry
        var duringRan = false
        let first = TriggerCompletionSource()
        let second = TriggerCompletionSource()
        registry.add(.before, .shutdown) { first }
        registry.add(.before, .shutdown) { second }
        registry.add(.during, .shutdown) { duringRan = true; return nil }
        registry.fire(.shutdown)
        second.complete()
        #expect(!duringRan)
        first.complete()
        #expect(duringRan)
    }

    @Test func aLaterBeforeTriggerMayCompleteAnEarlierOnesWork() {
        let registry = self.registry
        var duringRan = false
        let work = TriggerCompletionSource()
        registry.add(.before, .shutdown) { work }
        registry.add(.before, .shutdown) { work.complete(); return nil }
        registry.add(.during, .shutdown) { duringRan = true; return nil }
        registry.fire(.shutdown)
        #expect(duringRan)
    }

    @Test func aThrowingTriggerIsLoggedAndTheOthersStillRun() {
        struct Boom: Error {}
        let registry = self.registry
        var ran: [String] = []
        registry.add(.before, .shutdown) { throw Boom() }
        registry.add(.before, .shutdown) { ran.append("before"); return nil }
        registry.add(.during, .shutdown) { throw Boom() }
        registry.add(.during, .shutdown) { ran.append("during"); return nil }
        registry.fire(.shutdown)
        #expect(ran == ["before", "during"])
        let errors = capture.records.filter { $0.level == .error }
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.metadata["error"] == "Boom()" })
    }

    @Test func eachTriggerRunsAtMostOnceEvenIfTheEventFiresAgain() {
        let registry = self.registry
        var runs = 0
        registry.add(.during, SystemEvent("tick")) { runs += 1; return nil }
        registry.fire(SystemEvent("tick"))
        registry.fire(SystemEvent("tick"))
        #expect(runs == 1)
    }

    @Test func removingAPendingTriggerKeepsItFromRunning() throws {
        let registry = self.registry
        var ran = false
        let handle = registry.add(.during, .shutdown) { ran = true; return nil }
        try registry.remove(handle)
        registry.fire(.shutdown)
        #expect(!ran)
    }

    @Test func aTriggerMayRemoveALaterOne() {
        let registry = self.registry
        var laterRan = false
        var later: SystemEventTrigger?
        registry.add(.before, .shutdown) {
            try registry.remove(later!)
            return nil
        }
        later = registry.add(.during, .shutdown) { laterRan = true; return nil }
        registry.fire(.shutdown)
        #expect(!laterRan)
        #expect(capture.records.isEmpty)
    }

    @Test func aDuringTriggerRemovedWhileBeforeWorkIsPendingDoesNotRun() throws {
        let registry = self.registry
        var duringRan = false
        let work = TriggerCompletionSource()
        registry.add(.before, .shutdown) { work }
        let during = registry.add(.during, .shutdown) { duringRan = true; return nil }
        registry.fire(.shutdown)
        try registry.remove(during)
        work.complete()
        #expect(!duringRan)
    }

    @Test func removingAnUnknownRemovedOrRunTriggerThrows() throws {
        let registry = self.registry
        let other = SystemEventRegistry(logger: capture.logger())
        let foreign = other.add(.before, .shutdown) { nil }
        #expect(throws: UnknownSystemEventTrigger.self) { try registry.remove(foreign) }

        let handle = registry.add(.during, .shutdown) { nil }
        try registry.remove(handle)
        #expect(throws: UnknownSystemEventTrigger.self) { try registry.remove(handle) }

        let ran = registry.add(.after, .shutdown) { nil }
        registry.fire(.shutdown)
        #expect(throws: UnknownSystemEventTrigger.self) { try registry.remove(ran) }
    }
}
