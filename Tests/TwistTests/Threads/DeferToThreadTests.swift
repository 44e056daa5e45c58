import Foundation
import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// The reactor's pool: deferToThread, callInThread, blockingCallFromThread, runInThread, and the
/// pool's life with the reactor's.
@Suite(.timeLimit(.minutes(2))) struct DeferToThreadTests {
    struct Boom: Error, Equatable {}

    @Test func theDeferredFiresOnTheReactorThreadWithTheValueComputedOnAnother() async {
        let reactor = Reactor()
        let seen = Shared<[String]>([])
        let finished = await runRunning(reactor) {
            let reactorThread = pthread_self()
            _ = reactor.deferToThread { () -> Bool in pthread_equal(pthread_self(), reactorThread) != 0 }
                .addCallback { (ranOnReactor: Bool) in
                    seen.mutate { $0.append("ran on reactor: \(ranOnReactor)") }
                    seen.mutate { $0.append("fired on reactor: \(reactor.isInReactorThread)") }
                    try reactor.stop()
                }
        }
        #expect(finished)
        #expect(seen.value == ["ran on reactor: false", "fired on reactor: true"])
    }

    @Test func anErrorThrownInThePoolReachesTheErrbackOnTheReactorThread() async {
        let reactor = Reactor()
        let seen = Shared<[String]>([])
        let finished = await runRunning(reactor) {
            reactor.deferToThread { () throws -> Int in throw Boom() }
                .addCallbacks({ _ in seen.mutate { $0.append("callback") } }, { failure in
                    seen.mutate { $0.append("errback \(failure.check(Boom.self) != nil) \(reactor.isInReactorThread)") }
                })
                .addBoth { _ in try reactor.stop() }
        }
        #expect(finished)
        #expect(seen.value == ["errback true true"])
    }

    @Test func workQueuedBeforeTheReactorRunsWaitsForIt() async throws {
        let reactor = Reactor()
        let ran = Shared(false)
        try reactor.callInThread { ran.value = true }
        try await Task.sleep(for: .milliseconds(20))
        #expect(!ran.value)  // the pool starts with the reactor
        reactor.callWhenRunning {
            reactor.callInThread_thenStop(ran)
        }
        let outcome = await runReactor(reactor, timeout: 20)
        #expect(!outcome.timedOut)
        #expect(ran.value)
    }

    @Test func aHundredThousandCallsWithAStopInTheMiddleAllFireAndLaterWorkIsRefused() async {
        let total = 100_000
        let reactor = Reactor()
        reactor.suggestThreadPoolSize(4)
        let counts = Shared((values: 0, failures: 0, refusedAfter: false, ranOffReactor: true))
        let finished = await runRunning(reactor, timeout: 90) {
            var fired = 0
            for index in 0..<total {
                _ = reactor.deferToThread { index * 2 }.addCallbacks({ (value: Int) in
                    if value != index * 2 || !reactor.isInReactorThread { counts.mutate { $0.ranOffReactor = false } }
                    counts.mutate { $0.values += 1 }
                    fired += 1
                    // Stop halfway: the pool still finishes everything queued before shutdown ends.
                    if fired == total / 2 { try reactor.stop() }
                }, { _ in counts.mutate { $0.failures += 1 } })
            }
            reactor.addSystemEventTrigger(.after, .shutdown) {
                reactor.deferToThread { 1 }.addErrback { failure in
                    if failure.check(ThreadPoolStopped.self) != nil { counts.mutate { $0.refusedAfter = true } }
                    return 0
                }
            }
        }
        #expect(finished)
        let result = counts.value
        #expect(result.values == total)
        #expect(result.failures == 0)
        #expect(result.ranOffReactor)
        #expect(result.refusedAfter)
        #expect(reactor.threadPool == nil)
    }

    @Test func shutdownWaitsForRunningPoolWorkAndDeliversItsResult() async {
        let reactor = Reactor()
        let delivered = Shared(false)
        let finished = await runRunning(reactor) {
            _ = reactor.deferToThread { () -> Int in
                usleep(100_000)
                return 5
            }.addCallback { (value: Int) in delivered.value = value == 5 }
            reactor.callLater(0.01) { try reactor.stop() }
        }
        #expect(finished)
        #expect(delivered.value)
    }

    @Test func blockingCallFromThreadRunsOnTheReactorAndReturnsItsValueOrError() async {
        let reactor = Reactor()
        let seen = Shared<[String]>([])
        let finished = await runRunning(reactor) {
            _ = reactor.deferToThread { () -> [String] in
                var lines: [String] = []
                let onReactor = try reactor.blockingCallFromThread { reactor.isInReactorThread }
                lines.append("plain \(onReactor)")
                let later = try reactor.blockingCallFromThread { () -> Deferred<Int> in
                    let deferred = Deferred<Int>()
                    reactor.callLater(0.01) { try deferred.callback(9) }
                    return deferred
                }
                lines.append("deferred \(later)")
                do {
                    _ = try reactor.blockingCallFromThread { () throws -> Int in throw Boom() }
                } catch is Boom {
                    lines.append("error rethrown")
                }
                do {
                    _ = try reactor.blockingCallFromThread { () -> Deferred<Int> in fail(Boom()) }
                } catch is Boom {
                    lines.append("failed deferred rethrown")
                }
                return lines
            }.addCallback { (lines: [String]) in
                seen.value = lines
                do {
                    _ = try reactor.blockingCallFromThread { 1 }
                } catch is BlockingCallRefused {
                    seen.mutate { $0.append("refused on the reactor thread") }
                }
                try reactor.stop()
            }
        }
        #expect(finished)
        #expect(seen.value == [
            "plain true", "deferred 9", "error rethrown", "failed deferred rethrown", "refused on the reactor thread",
        ])
    }

    @Test func blockingCallFromThreadIsRefusedOnceTheReactorHasStopped() async throws {
        let reactor = Reactor()
        reactor.callWhenRunning { try reactor.stop() }
        await runReactor(reactor)
        let refused = await onOwnThread { () -> Bool in
            do {
                _ = try reactor.blockingCallFromThread { 1 }
                return false
            } catch {
                return error is BlockingCallRefused
            }
        }
        #expect(refused)
    }

    @Test func runInThreadReturnsTheValueAndThrowsTheError() async throws {
        let reactor = Reactor()
        let running = startReactorThread(reactor, timeout: 30)
        let value = try await reactor.runInThread { 6 * 7 }
        #expect(value == 42)
        await #expect(throws: Boom.self) { try await reactor.runInThread { () throws -> Int in throw Boom() } }
        stopFromOutside(reactor)
        let outcome = await running.value
        #expect(!outcome.timedOut)
        await #expect(throws: ThreadPoolStopped.self) { try await reactor.runInThread { 1 } }
    }

    @Test func fakeThreadsRunPoolWorkOnlyWhenTheTestSaysSo() throws {
        let threads = FakeThreads()
        var got: [Int] = []
        _ = threads.deferToThread { 3 }.addCallback { got.append($0) }
        _ = threads.deferToThread { () throws -> Int in throw Boom() }.addErrback { _ in
            got.append(-1)
            return 0
        }
        #expect(got.isEmpty)
        #expect(threads.pendingCount == 2)
        #expect(threads.runPending() == 2)
        #expect(got == [3, -1])
        threads.stop()
        #expect(throws: FakeThreadsStopped.self) { try threads.callInThread {} }
    }
}

extension Reactor {
    /// Queues pool work that stops the reactor once `ran` is set (by earlier work in order).
    fileprivate nonisolated func callInThread_thenStop(_ ran: Shared<Bool>) {
        try? callInThread { [self] in
            callFromThread { [self] in
                if ran.value { try stop() }
            }
        }
    }
}
