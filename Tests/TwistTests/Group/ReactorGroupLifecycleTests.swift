import Foundation
import Glibc
import Testing
import Twist
import TwistTestSupport

/// The group's own life: threads, placement, stopping together.
@Suite(.timeLimit(.minutes(1))) struct ReactorGroupLifecycleTests {
    @Test func everyMemberRunsOnItsOwnThreadAndStopReturnsEveryThread() async throws {
        let group = ReactorGroup(count: 3)
        let threads = Shared<[Int: UInt]>([:])
        for (index, reactor) in group.reactors.enumerated() {
            reactor.callFromThread {
                let here = Reactor.current === reactor && group.current === reactor
                threads.mutate { $0[index] = here ? UInt(pthread_self()) : 0 }
            }
        }
        let timedOut = try startGroup(group)
        #expect(await eventually(within: 10) { threads.value.count == 3 })
        #expect(Set(threads.value.values).count == 3)
        #expect(!threads.value.values.contains(0))
        #expect(group.current == nil)
        #expect(await stopGroup(group))
        #expect(group.reactors.allSatisfy { !$0.isRunning })
        #expect(!timedOut.value)
    }

    @Test func nextIsRoundRobin() {
        let group = ReactorGroup(count: 3)
        let picked = (0..<7).map { _ in group.next() }
        let expected = [0, 1, 2, 0, 1, 2, 0].map { group.reactors[$0] }
        #expect(zip(picked, expected).allSatisfy { $0 === $1 })
        group.requestStop()
    }

    @Test func defaultCountIsTheNumberOfCores() {
        let group = ReactorGroup()
        #expect(group.count == ReactorGroup.defaultCount)
        #expect(ReactorGroup.defaultCount == Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        group.requestStop()
    }

    @Test func oneMemberStoppingItselfStopsTheGroup() async throws {
        let group = ReactorGroup(count: 3)
        let timedOut = try startGroup(group)
        group.reactors[2].callFromThread { try group.reactors[2].stop() }
        #expect(await eventually(within: 10) { group.isStopped })
        #expect(!timedOut.value)
    }

    @Test func startingTwiceOrAfterStoppingThrows() async throws {
        let group = ReactorGroup(count: 2)
        _ = try startGroup(group)
        #expect(throws: ReactorAlreadyRunning.self) { try group.start() }
        #expect(await stopGroup(group))
        #expect(throws: ReactorNotRestartable.self) { try group.start() }
        #expect(throws: ReactorNotRunning.self) {
            try group.listenTCP(0, interface: "127.0.0.1") { _ in Factory { Protocol() } }
        }
    }

    @Test func stoppingBeforeStartingStopsAtOnce() {
        let group = ReactorGroup(count: 2)
        let told = Shared(0)
        group.whenStopped { told.mutate { $0 += 1 } }
        group.stop()
        #expect(group.isStopped)
        #expect(told.value == 1)
        #expect(throws: ReactorNotRestartable.self) { try group.start() }
        group.whenStopped { told.mutate { $0 += 1 } }
        #expect(told.value == 2)
    }

    @Test func runServesTheFirstMemberOnTheCallingThread() async {
        let group = ReactorGroup(count: 2)
        let firstOnCaller = Shared(false)
        let outcome = await onOwnThread { () -> String in
            let caller = pthread_self()
            group.reactors[0].callFromThread {
                firstOnCaller.value = pthread_equal(pthread_self(), caller) != 0
                // The second member stops the group.
                group.reactors[1].callFromThread { try group.reactors[1].stop() }
            }
            group.reactors[0].callLater(20) { group.requestStop() }
            do {
                try group.run()
                return group.isStopped ? "stopped" : "returned early"
            } catch {
                return "threw \(error)"
            }
        }
        #expect(outcome == "stopped")
        #expect(firstOnCaller.value)
    }

    @Test func asyncStopWaitsForEveryThread() async throws {
        let group = ReactorGroup(count: 2)
        let lastWork = Shared(0)
        _ = try startGroup(group)
        for reactor in group.reactors {
            reactor.callFromThread {
                reactor.addSystemEventTrigger(.after, .shutdown) { lastWork.mutate { $0 += 1 } }
            }
        }
        #expect(await eventually(within: 5) { group.reactors.allSatisfy(\.isRunning) })
        try? await Task.sleep(for: .milliseconds(20))  // let the triggers be added
        await group.stop()
        #expect(group.isStopped)
        #expect(lastWork.value == 2)
    }

    /// Stopping posts stops to members that may have stopped already; such posts never run and
    /// stay in the member's queue, so they must not keep the member (or the group) alive.
    @Test func aStoppedGroupAndItsReactorsAreFreedWithTheirPorts() async throws {
        let freed = WeakReactors()
        do {
            let group = ReactorGroup(count: 3)
            let stats = Shared(GroupServerStats(reactors: 3))
            for strategy in [GroupListeningStrategy.handOff, .reusePort] {
                _ = try group.listenTCP(
                    0, interface: "127.0.0.1", strategy: strategy, factory: GroupEchoFactory.maker(for: group, stats: stats))
            }
            freed.watch(group.reactors)
            _ = try startGroup(group)
            #expect(await stopGroup(group))
            // Each member posts a stop to the others in its shutdown, and the test one more.
            group.requestStop()
            group.callOnEach { _ in }
        }
        #expect(await eventually(within: 5) { freed.allGone })
    }

    @Test func callOnEachReachesEveryMember() async throws {
        let group = ReactorGroup(count: 3)
        let reached = Shared<Set<Int>>([])
        _ = try startGroup(group)
        group.callOnEach { reactor in
            let index = group.reactors.firstIndex { $0 === reactor }!
            if Reactor.current === reactor { reached.mutate { _ = $0.insert(index) } }
        }
        #expect(await eventually(within: 10) { reached.value.count == 3 })
        #expect(await stopGroup(group))
    }

    @Test func asyncCodeRunsOnAMemberAsItsExecutor() async throws {
        let group = ReactorGroup(count: 2)
        _ = try startGroup(group)
        let member = group.reactors[1]
        let onMember = await Task(executorPreference: member) { () async -> Bool in
            await inside(member)
        }.value
        #expect(onMember)
        #expect(await stopGroup(group))
    }
}

/// True when run on `reactor`'s thread (as isolated code of it is).
private func inside(_ reactor: isolated Reactor) async -> Bool {
    Reactor.current === reactor
}

/// Weak references to reactors, read from the test.
private final class WeakReactors: @unchecked Sendable {
    private let lock = NSLock()
    private var references: [WeakReactor] = []

    private struct WeakReactor {
        weak var reactor: Reactor?
    }

    func watch(_ reactors: [Reactor]) {
        lock.withLock { references += reactors.map { WeakReactor(reactor: $0) } }
    }

    var allGone: Bool {
        lock.withLock { !references.isEmpty && references.allSatisfy { $0.reactor == nil } }
    }
}
