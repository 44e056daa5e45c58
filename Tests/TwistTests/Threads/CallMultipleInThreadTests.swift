import Glibc
import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// callMultipleInThread: several calls as one pool job, in order, on one thread; as in Twisted,
/// an error ends the job (the calls after it do not run) and is logged.
@Suite(.timeLimit(.minutes(1))) struct CallMultipleInThreadTests {
    struct Boom: Error {}

    @Test func theCallsRunInOrderAsOneJobOfTheFake() throws {
        let threads = FakeThreads()
        let seen = Shared<[Int]>([])
        let calls: [@Sendable () throws -> Void] = (1...5).map { n in { seen.mutate { $0.append(n) } } }
        try threads.callMultipleInThread(calls)
        #expect(threads.pendingCount == 1, "one pool job for all of them")
        #expect(seen.value.isEmpty)
        #expect(threads.runPending() == 1)
        #expect(seen.value == [1, 2, 3, 4, 5])
    }

    @Test func anErrorEndsTheJobAsInTwisted() throws {
        let threads = FakeThreads()
        let seen = Shared<[String]>([])
        try threads.callMultipleInThread([
            { seen.mutate { $0.append("first") } },
            { throw Boom() },
            { seen.mutate { $0.append("after the error") } },
        ])
        threads.runPending()
        #expect(seen.value == ["first"])
    }

    @Test func anEmptyListIsOneJobThatDoesNothing() throws {
        let threads = FakeThreads()
        try threads.callMultipleInThread([])
        #expect(threads.runPending() == 1)
    }

    @Test func aStoppedPoolRefusesTheWholeList() {
        let threads = FakeThreads()
        threads.stop()
        let ran = Shared(false)
        #expect(throws: FakeThreadsStopped()) { try threads.callMultipleInThread([{ ran.value = true }]) }
        #expect(threads.runPending() == 0)
        #expect(!ran.value)
    }

    @Test func onTheReactorsPoolTheyRunInOrderOnOneThreadOffTheReactor() async {
        let reactor = Reactor()
        reactor.suggestThreadPoolSize(4)
        let seen = Shared<[(Int, pthread_t, Bool)]>([])
        let finished = await runRunning(reactor) {
            var calls: [@Sendable () throws -> Void] = (1...20).map { n in
                { seen.mutate { $0.append((n, pthread_self(), reactor.isInReactorThread)) } }
            }
            calls.append { reactor.callFromThread { try reactor.stop() } }
            try reactor.callMultipleInThread(calls)
        }
        #expect(finished)
        #expect(seen.value.map(\.0) == Array(1...20))
        #expect(seen.value.allSatisfy { pthread_equal($0.1, seen.value[0].1) != 0 }, "one thread")
        #expect(seen.value.allSatisfy { !$0.2 })
    }

    @Test func onTheReactorsPoolAnErrorIsLoggedAndTheRestSkipped() async {
        let capture = LogCapture()
        let reactor = Reactor(logger: capture.logger())
        let seen = Shared<[String]>([])
        let finished = await runRunning(reactor) {
            try reactor.callMultipleInThread([
                { seen.mutate { $0.append("first") } },
                { throw Boom() },
                { seen.mutate { $0.append("skipped") } },
            ])
            // A later job still runs: the pool carries on after the error.
            try reactor.callInThread { reactor.callFromThread { try reactor.stop() } }
        }
        #expect(finished)
        #expect(seen.value == ["first"])
        #expect(capture.records.contains { $0.level == .error && $0.message == "error in thread pool work" && "\($0.metadata)".contains("Boom") })
    }

    @Test func afterShutdownTheReactorRefusesTheList() async {
        let reactor = Reactor()
        let finished = await runRunning(reactor) { try reactor.stop() }
        #expect(finished)
        #expect(throws: ThreadPoolStopped.self) { try reactor.callMultipleInThread([{}]) }
    }
}
