import Testing
import TwistCore
import TwistTesting

/// Spec §4 items 39–40: a lone service's running flag, its name, and its parent.
@Suite struct ServiceTests {
    @Test func runningIsTrueOnlyBetweenStartAndStop() throws {
        let service = Service()
        #expect(!service.isRunning)
        try service.startService()
        #expect(service.isRunning)
        #expect(service.stopService() == nil)
        #expect(!service.isRunning)
    }

    @Test func privilegedStartIsAHookThatStartsNothing() throws {
        let service = Service()
        try service.privilegedStartService()
        #expect(!service.isRunning)
    }

    @Test func aNameCanChangeOnlyBeforeTheServiceHasAParent() throws {
        let service = Service(name: "a")
        try service.setName("b")
        #expect(service.name == "b")
        let parent = MultiService()
        try service.setServiceParent(parent)
        #expect(throws: ServiceNameFrozenError.self) { try service.setName("c") }
        #expect(service.name == "b")
    }

    @Test func settingAParentLeavesTheOldOneFirst() throws {
        let first = MultiService(), second = MultiService()
        let child = Service(name: "child")
        try child.setServiceParent(first)
        try child.setServiceParent(second)
        #expect(child.parent === second)
        #expect(first.services.isEmpty)
        #expect(second.services.map(\.name) == ["child"])
    }

    @Test func disowningReturnsWhatTheParentsRemoveReturnsAndClearsTheParent() throws {
        let parent = MultiService()
        let journal = RecordingService.Journal()
        let child = RecordingService("c", journal: journal)
        child.pendingStop = Deferred()
        try child.setServiceParent(parent)
        #expect(try child.disownServiceParent() == nil)  // the parent is not running: nothing stops
        try child.setServiceParent(parent)
        try parent.startService()
        let stopped = try #require(try child.disownServiceParent())
        #expect(stopped.isSame(as: child.pendingStop!))
        #expect(child.parent == nil)
        #expect(!child.isRunning)
        #expect(try child.disownServiceParent() == nil)  // no parent any more
    }

    @Test func aDuplicateNameIsRefusedAndTheServiceStaysOrphaned() throws {
        let parent = MultiService()
        try Service(name: "web").setServiceParent(parent)
        let twin = Service(name: "web")
        #expect(throws: DuplicateServiceNameError.self) { try twin.setServiceParent(parent) }
        #expect(twin.parent == nil)
        #expect(parent.services.count == 1)
        // Unnamed services never clash.
        try Service().setServiceParent(parent)
        try Service().setServiceParent(parent)
        #expect(parent.services.count == 3)
    }

    @Test func descriptionNamesTheClassAndTheName() {
        #expect(Service(name: "db").description == "Service \"db\"")
        #expect(MultiService().description == "MultiService")
    }
}
