import Testing
import TwistCore
import TwistTesting

/// Spec §4 items 41–43, with Twist's two decisions: a failed start rolls back, a failed stop is
/// reported.
@Suite struct MultiServiceTests {
    let journal = RecordingService.Journal()

    private func tree(_ names: String...) throws -> (MultiService, [RecordingService]) {
        let parent = MultiService(name: "root")
        let children = names.map { RecordingService($0, journal: journal) }
        for child in children { try child.setServiceParent(parent) }
        return (parent, children)
    }

    @Test func startsChildrenInOrderAndStopsThemInReverse() throws {
        let (parent, children) = try tree("a", "b", "c")
        try parent.privilegedStartService()
        try parent.startService()
        #expect(parent.isRunning && children.allSatisfy(\.isRunning))
        let stopped = try #require(parent.stopService())
        #expect(stopped.hasFired)
        #expect(!parent.isRunning && children.allSatisfy { !$0.isRunning })
        #expect(journal.entries == [
            "privileged a", "privileged b", "privileged c",
            "start a", "start b", "start c",
            "stop c", "stop b", "stop a",
        ])
    }

    @Test func childrenAreFoundByName() throws {
        let (parent, children) = try tree("a", "b")
        #expect(try parent.service(named: "b") === children[1])
        #expect(throws: ServiceNotFoundError.self) { try parent.service(named: "z") }
    }

    @Test func addingToARunningParentStartsTheChildAtOnce() throws {
        let (parent, _) = try tree("a")
        try parent.startService()
        let late = RecordingService("late", journal: journal)
        try late.setServiceParent(parent)
        #expect(late.isRunning)
        #expect(journal.entries.suffix(2) == ["privileged late", "start late"])
    }

    @Test func removingAChildOfARunningParentStopsItAndReturnsItsStop() throws {
        let (parent, children) = try tree("a", "b")
        try parent.startService()
        children[0].pendingStop = Deferred()
        let stop = try #require(try parent.removeService(children[0]))
        #expect(stop.isSame(as: children[0].pendingStop!))
        #expect(!children[0].isRunning && children[0].parent == nil)
        #expect(parent.services.map(\.name) == ["b"])
    }

    @Test func removingAStrangerThrows() throws {
        let (parent, _) = try tree("a")
        #expect(throws: NotAChildServiceError.self) { try parent.removeService(Service(name: "x")) }
    }

    @Test func aFailedStartStopsTheChildrenAlreadyStartedAndLeavesTheParentStopped() throws {
        let (parent, children) = try tree("a", "b", "c")
        children[1].startError = Boom()
        let thrown = try #require(throws: ServiceStartError.self) { try parent.startService() }
        let underlying = thrown.underlying as? Boom
        #expect(underlying == Boom())
        #expect(thrown.service == "RecordingService \"b\"")
        #expect(!parent.isRunning)
        #expect(children.allSatisfy { !$0.isRunning })
        #expect(children[2].stopCount == 0)  // never started, never stopped
        #expect(journal.entries == ["start a", "stop a"])
    }

    @Test func aFailedRollbackStopIsLoggedNotLost() throws {
        let capture = LogCapture()
        let parent = MultiService(logger: capture.logger())
        let first = RecordingService("a", journal: journal)
        first.pendingStop = fail(Boom())
        try first.setServiceParent(parent)
        try RecordingService("b", journal: journal, startError: Boom()).setServiceParent(parent)
        #expect(throws: ServiceStartError.self) { try parent.startService() }
        #expect(capture.records.contains { $0.message.contains("RecordingService \"a\" failed to stop after a failed start") })
    }

    @Test func stopWaitsForEveryChildButStopsThemAllAtOnce() throws {
        let (parent, children) = try tree("a", "b")
        try parent.startService()
        children[0].pendingStop = Deferred()
        children[1].pendingStop = Deferred()
        let stopped = try #require(parent.stopService())
        #expect(children.allSatisfy { $0.stopCount == 1 })  // b's pending stop did not hold a back
        #expect(!stopped.hasFired)
        try children[1].pendingStop!.callback(())
        #expect(!stopped.hasFired)
        try children[0].pendingStop!.callback(())
        #expect(stopped.hasFired)
    }

    @Test func aFailedChildStopFailsTheParentsStopAfterTheOthersFinish() throws {
        let (parent, children) = try tree("a", "b", "c")
        try parent.startService()
        children[1].pendingStop = Deferred()
        children[0].pendingStop = Deferred()
        var outcome: Result<Void, Failure>?
        parent.stopService()!.addBoth { outcome = $0 }
        try children[1].pendingStop!.errback(Boom())
        #expect(outcome == nil)  // a still stopping
        try children[0].pendingStop!.callback(())
        guard case .failure(let failure) = try #require(outcome) else {
            Issue.record("the stop should fail")
            return
        }
        let thrown = try #require(failure.error as? ServiceStopError)
        #expect(thrown.failures.map(\.service) == ["RecordingService \"b\""])
        let firstFailure = thrown.failures.first?.failure.error as? Boom
        #expect(firstFailure == Boom())
        #expect(children.allSatisfy { !$0.isRunning })
    }

    @Test func anEmptyParentStartsAndStopsAtOnce() throws {
        let parent = MultiService()
        try parent.startService()
        #expect(parent.isRunning)
        #expect(parent.stopService()?.hasFired == true)
    }
}
