import Testing
import TwistCore
import TwistTesting

/// The synchronous forms of the Twisted tutorial, each next to its Deferred translation: for every
/// outcome of the guarded work, both forms must run the same steps in the same order.
@Suite("try/except/else/finally translated into Deferred chains")
struct DeferredSeedExampleTests {
    /// The work being guarded: succeeds with its input, or throws when asked to.
    static func attempt(_ shouldFail: Bool, _ log: inout [String]) throws -> Int {
        log.append("attempt")
        if shouldFail { throw TestError(code: 1) }
        return 1
    }

    /// Fires a Deferred the way the asynchronous version of `attempt` would.
    static func fire(_ d: Deferred<Int>, failing: Bool) throws {
        if failing { try d.errback(TestError(code: 1)) } else { try d.callback(1) }
    }

    @Test(arguments: [false, true])
    func tryExceptIsAnErrback(failing: Bool) throws {
        var sync: [String] = []
        do {
            _ = try Self.attempt(failing, &sync)
        } catch {
            sync.append("handle")
        }

        var async = ["attempt"]
        let d = Deferred<Int>()
        d.addErrback { _ in
            async.append("handle")
            return 0
        }
        try Self.fire(d, failing: failing)
        #expect(async == sync)
    }

    @Test(arguments: [false, true])
    func tryExceptElseIsAddCallbacks(failing: Bool) throws {
        // try: attempt() except: handle() else: proceed()  — an error in proceed is NOT handled here
        var sync: [String] = []
        let value: Int?
        do {
            value = try Self.attempt(failing, &sync)
        } catch {
            value = nil
            sync.append("handle")
        }
        if value != nil { sync.append("proceed") }

        var async = ["attempt"]
        let d = Deferred<Int>()
        _ = d.addCallbacks({ _ in async.append("proceed") }, { _ in async.append("handle") })
        try Self.fire(d, failing: failing)
        #expect(async == sync)
    }

    @Test(arguments: [false, true])
    func tryWithProceedInsideIsCallbackThenErrback(failing: Bool) throws {
        // try: attempt(); proceed() except: handle()  — the errback also sees errors from proceed
        var sync: [String] = []
        do {
            _ = try Self.attempt(failing, &sync)
            sync.append("proceed")
            throw TestError(code: 2)
        } catch {
            sync.append("handle")
        }

        var async = ["attempt"]
        let d = Deferred<Int>()
        d.addCallback { _ -> Int in
            async.append("proceed")
            throw TestError(code: 2)
        }.addErrback { _ in
            async.append("handle")
            return 0
        }
        try Self.fire(d, failing: failing)
        #expect(async == sync)
    }

    @Test(arguments: [false, true])
    func tryFinallyIsAddBoth(failing: Bool) throws {
        var sync: [String] = []
        var syncEscaped = false
        do {
            defer { sync.append("cleanup") }
            _ = try Self.attempt(failing, &sync)
        } catch {
            syncEscaped = true
        }

        var async = ["attempt"]
        let d = Deferred<Int>()
        let end = d.addBoth { result -> Int in
            async.append("cleanup")
            return try result.get()  // finally: the outcome goes on unchanged
        }
        try Self.fire(d, failing: failing)
        #expect(async == sync)
        #expect((end.failure != nil) == syncEscaped)
        end.swallow()
    }

    @Test func nestedDeferredPausesTheOuterChainWhileTheInnerIsPending() throws {
        // The tutorial's "get poetry, then transform it remotely": the transform is a Deferred.
        let clock = TestClock()
        var log: [String] = []
        let download = deferLater(clock, 1) { "a poem" }
        let done = download.addCallback { poem -> Deferred<String> in
            log.append("downloaded \(poem)")
            return deferLater(clock, 1) { poem.uppercased() }
        }.addCallback { transformed in
            log.append("transformed \(transformed)")
        }
        try clock.advance(1)
        #expect(log == ["downloaded a poem"])
        #expect(download.isWaiting)
        try clock.advance(1)
        #expect(log == ["downloaded a poem", "transformed A POEM"])
        #expect(done.hasFired)
    }
}
