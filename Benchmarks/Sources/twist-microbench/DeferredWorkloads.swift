import Twist

/// The Deferred workloads of Twisted's `benchmarks/test_deferred.py` and
/// `docs/core/benchmarks/deferreds.py`, written for Twist. Each function builds and fires one
/// chain and returns its last handle, so the caller can check the result (outside timed loops).
enum DeferredWorkloads {
    /// The first error an errback chain raises (Twisted: `Exception("boom!")`).
    struct Boom: Error { let message: String }

    /// `test_deferred_callback_chain_fires_at_start`: fire with 2, then add four callbacks.
    @inline(never)
    static func fireThenAdd4() -> Deferred<Int> {
        let d = Deferred<Int>()
        try! d.callback(2)
        _ = d.addCallback { $0 + 1 }
        _ = d.addCallback { $0 + 2 }
        _ = d.addCallback { $0 + 3 }
        _ = d.addCallback { $0 + 4 }
        return d
    }

    /// `test_deferred_callback_chain_fires_at_end`: add four callbacks, then fire with 2.
    @inline(never)
    static func add4ThenFire() -> Deferred<Int> {
        let d = Deferred<Int>()
        _ = d.addCallback { $0 + 1 }
        _ = d.addCallback { $0 + 2 }
        _ = d.addCallback { $0 + 3 }
        _ = d.addCallback { $0 + 4 }
        try! d.callback(2)
        return d
    }

    /// `test_deferred_errback_chain`: a callback throws, an errback traps it and throws a second
    /// error, and a both-stage swallows that.
    @inline(never)
    static func errbackChain() -> Deferred<Void> {
        succeed("result")
            .addCallback { (_: String) throws -> Void in throw Boom(message: "boom!") }
            .addErrback { failure in
                try failure.trap(Boom.self)
                throw Boom(message: "lesser boom!")
            }
            .addBoth { (_: Result<Void, Failure>) in }
    }

    /// `test_deferred_chained_already_fired`: two callbacks return Deferreds that have fired.
    @inline(never)
    static func chainedAlreadyFired() -> Deferred<Int> {
        let d = Deferred<Int>()
        let d2 = Deferred<Int>()
        let d3 = Deferred<Int>()
        try! d2.callback(123)
        try! d3.callback(456)
        let end = d.addCallback { _ in d2 }.addCallback { _ in d3 }
        try! d.callback(123)
        return end
    }

    /// `test_deferred_chained_not_fired`: the returned Deferreds fire after the callbacks that
    /// return them were added; one of them is itself waiting on a fourth.
    @inline(never)
    static func chainedNotFired() -> Deferred<Int> {
        let d = Deferred<Int>()
        let d2 = Deferred<Int>()
        let d3 = Deferred<Int>()
        let d4 = Deferred<Int>()
        _ = d3.addCallback { _ in d4 }
        try! d3.callback(123)
        let end = d.addCallback { _ in d2 }.addCallback { _ in d3 }
        try! d2.callback(123)
        try! d4.callback(57)
        try! d.callback(7)
        return end
    }

    /// When `deferreds.py` fires its Deferred relative to adding the stages.
    enum AddMode: String, CaseIterable {
        /// `instantiateAddCallbacksNoResult`: never fired.
        case noResult = "no_result"
        /// `instantiateAddCallbacksBeforeResult`: stages added, then fired.
        case beforeResult = "before_result"
        /// `instantiateAddCallbacksAfterResult`: fired, then stages added (each runs at once).
        case afterResult = "after_result"
        /// `pauseUnpause`: fired and paused, stages added, then unpaused.
        case paused = "paused"
    }

    /// `deferreds.py`'s add benchmarks: `n` times a callback, an errback, a both-stage and a
    /// callback/errback pair, all passing the result through (4n stages).
    @inline(never)
    static func addN(_ n: Int, _ mode: AddMode) -> Deferred<Int> {
        let d = Deferred<Int>()
        if mode == .afterResult || mode == .paused { try! d.callback(1) }
        if mode == .paused { d.pause() }
        for _ in 0..<n {
            _ = d.addCallback { $0 }
            d.addErrback { failure in throw failure }
            _ = d.addBoth { try $0.get() }
            _ = d.addCallbacks({ $0 }, { failure in throw failure })
        }
        if mode == .beforeResult { try! d.callback(1) }
        if mode == .paused { d.unpause() }
        return d
    }
}
