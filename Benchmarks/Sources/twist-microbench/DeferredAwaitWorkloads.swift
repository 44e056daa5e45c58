import Twist

/// The `await` workloads of Twisted's `benchmarks/test_deferred.py`, run through Twist's async
/// bridge (`Deferred(on:)` and `value()`) on a reactor driven by the calling thread.
///
/// Call from the main thread (never from a Swift concurrency thread: it runs the reactor).
enum DeferredAwaitWorkloads {
    /// Time and allocations of one workload.
    struct Measurement {
        /// Median over the repetitions, in microseconds per run.
        let microsecondsPerRun: Double
        /// Heap allocations per run, from a separate counted pass.
        let allocationsPerRun: Double
    }

    /// `test_deferred_await`: an async body awaits 1,000 already-fired Deferreds (`succeed(x)`);
    /// it never suspends, so `Deferred(on:)` has fired when it returns, as `ensureDeferred` has.
    static func await1000Fired(iterations: Int, repetitions: Int) -> Measurement {
        let reactor = Reactor()
        var samples: [Double] = []
        var allocations = 0.0
        func oneRun() -> Int? {
            reactor.assumeIsolated { reactor in sumOfFired(reactor) }
        }
        reactor.callWhenRunning {
            let check = oneRun()
            precondition(check == 499_500, "await_1000_fired sums 0..<1000 at once, got \(String(describing: check))")
            for _ in 0..<repetitions {
                samples.append(nanosecondsPerOperation(iterations) {
                    for _ in 0..<iterations { _ = oneRun() }
                } / 1_000)
            }
            allocations = AllocationCounter.allocationsPerCall(iterations) { _ = oneRun() }
            try reactor.stop()
        }
        try! reactor.run()
        return Measurement(microsecondsPerRun: median(samples), allocationsPerRun: allocations)
    }

    /// `test_deferred_await_unfired`: make 20 unfired Deferreds, start an async body that awaits
    /// them in order and sums them, fire them with 0..<20, and wait for the sum (190).
    ///
    /// With `eachAwaitSuspends` false the 20 are fired back to back, as Twisted's code does; in
    /// Twist a resumed body continues on the reactor's next job, so it finds the other 19 fired
    /// and suspends once. With it true, the driver yields after each fire so the body resumes
    /// and suspends on every one of the 20, as a coroutine resumed synchronously by Twisted does.
    static func await20Unfired(eachAwaitSuspends: Bool, iterations: Int, repetitions: Int) -> Measurement {
        let reactor = Reactor()
        var samples: [Double] = []
        var allocations = 0.0
        reactor.callWhenRunning {
            Deferred(on: reactor) { () -> Void in
                let check = try await sumOfUnfired(reactor, eachAwaitSuspends: eachAwaitSuspends)
                precondition(check == 190, "await_20_unfired sums 0..<20, got \(check)")
                let clock = ContinuousClock()
                for _ in 0..<repetitions {
                    let start = clock.now
                    for _ in 0..<iterations { _ = try await sumOfUnfired(reactor, eachAwaitSuspends: eachAwaitSuspends) }
                    let (seconds, attoseconds) = (clock.now - start).components
                    samples.append((Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(iterations))
                }
                AllocationCounter.start()
                for _ in 0..<iterations { _ = try await sumOfUnfired(reactor, eachAwaitSuspends: eachAwaitSuspends) }
                allocations = Double(AllocationCounter.stop()) / Double(iterations)
            }.addBoth { result in
                if case .failure(let failure) = result { fatalError("await_20_unfired failed: \(failure)") }
                try? reactor.stop()
            }
        }
        try! reactor.run()
        return Measurement(microsecondsPerRun: median(samples), allocationsPerRun: allocations)
    }
}

/// One run of `await_1000_fired`, written as reactor-isolated code so that every `value()` is
/// called with the reactor as its isolation (see "Awaiting" in Docs/Benchmarks.md: called from
/// code whose static isolation is nil, each `value()` costs an executor round trip). The body
/// never suspends, so the Deferred has its sum when `Deferred(on:)` returns.
private func sumOfFired(_ reactor: isolated Reactor) -> Int? {
    Deferred(on: reactor) { () -> Int in
        var sum = 0
        for x in 0..<1_000 { sum += try await succeed(x).value() }
        return sum
    }.currentResult.flatMap { try? $0.get() }
}

/// One run of `await_20_unfired`, isolated to the reactor like ``sumOfFired(_:)``.
private func sumOfUnfired(_ reactor: isolated Reactor, eachAwaitSuspends: Bool) async throws -> Int {
    let deferreds = (0..<20).map { _ in Deferred<Int>() }
    let body = Deferred(on: reactor) { () -> Int in
        var sum = 0
        for deferred in deferreds { sum += try await deferred.value() }
        return sum
    }
    for (index, deferred) in deferreds.enumerated() {
        try deferred.callback(index)
        // The driver's own yield stays on the reactor too (with the reactor as the task's executor
        // preference), so that the row measures the body's awaits, not the driver's thread hops.
        if eachAwaitSuspends { await withTaskExecutorPreference(reactor) { await Task.yield() } }
    }
    return try await body.value()
}
