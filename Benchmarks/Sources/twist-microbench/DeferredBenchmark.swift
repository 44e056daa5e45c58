import Twist

/// Runs the Deferred twins of Twisted's benchmarks (`Docs/Benchmarks.md`, "Deferred") and
/// reports, per row, the median time per operation and the heap allocations per operation.
struct DeferredBenchmark {
    /// One benchmark's figures.
    struct Row {
        /// The Twist benchmark name, e.g. `deferred.add_4_then_fire`.
        let name: String
        /// The row of `Benchmarks/twisted/deferred_bench.py` with the same workload.
        let twistedName: String
        /// What `value` is per: "ns/chain", "ns/stage" or "µs/run".
        let unit: String
        /// Median over the repetitions.
        let value: Double
        /// Heap allocations per operation (per chain, per stage or per run, as `unit` says).
        let allocations: Double
        /// Deferreds created per operation (each costs its chain's allocation).
        let deferreds: Double
        /// Stages added per operation (callbacks, errbacks, pairs; for awaits, `value()` calls).
        let stages: Double

        /// Allocations per stage added, after taking out one per Deferred created.
        var allocationsPerStage: Double {
            stages > 0 ? (allocations - deferreds) / stages : 0
        }
    }

    /// Repetitions per row (the median is reported).
    let repetitions: Int
    /// Scales every row's iteration count (1 for a full run, smaller for `--quick`).
    let scale: Double
    /// Runs only the rows whose name contains this (`--only`, for profiling one workload).
    var only: String? = nil

    private func selected(_ name: String) -> Bool {
        only.map { name.contains($0) } ?? true
    }

    func run() -> [Row] {
        var rows: [Row?] = []
        rows.append(chain("deferred.instantiate", twisted: "instantiate", deferreds: 1, stages: 0) {
            Deferred<Int>()
        })
        rows.append(chain("deferred.instantiate_callback", twisted: "instantiate_callback", deferreds: 1, stages: 0) {
            let d = Deferred<Int>()
            try! d.callback(1)
            return d
        })
        rows.append(chain("deferred.fire_then_add_4", twisted: "fire_then_add_4", deferreds: 1, stages: 4,
                          expect: 12, DeferredWorkloads.fireThenAdd4))
        rows.append(chain("deferred.add_4_then_fire", twisted: "add_4_then_fire", deferreds: 1, stages: 4,
                          expect: 12, DeferredWorkloads.add4ThenFire))
        rows.append(chain("deferred.errback_chain", twisted: "errback_chain", deferreds: 1, stages: 3) {
            let end = DeferredWorkloads.errbackChain()
            return end
        })
        rows.append(chain("deferred.chained_already_fired", twisted: "chained_already_fired", deferreds: 3, stages: 2,
                          expect: 456, DeferredWorkloads.chainedAlreadyFired))
        rows.append(chain("deferred.chained_not_fired", twisted: "chained_not_fired", deferreds: 4, stages: 3,
                          expect: 57, DeferredWorkloads.chainedNotFired))
        rows.append(contentsOf: awaitRows().map { $0 })
        for n in [10, 1_000, 10_000] {
            for mode in DeferredWorkloads.AddMode.allCases {
                rows.append(addN(n, mode))
            }
        }
        return rows.compactMap { $0 }
    }

    private func iterations(_ base: Int) -> Int {
        max(1, Int(Double(base) * scale))
    }

    /// A workload measured in ns per chain: `body` builds and fires one chain.
    private func chain<Value>(
        _ name: String, twisted: String, deferreds: Double, stages: Double, expect: Int? = nil,
        _ body: @escaping () -> Deferred<Value>
    ) -> Row? {
        guard selected(name) else { return nil }
        if let expect {
            let result = body().currentResult.flatMap { try? $0.get() }
            precondition((result as? Int) == expect, "\(name): expected \(expect), got \(String(describing: result))")
        } else if case .failure(let failure)? = body().currentResult {
            fatalError("\(name) ended in \(failure)")
        }
        let count = iterations(200_000)
        let samples = (0..<repetitions).map { _ in
            nanosecondsPerOperation(count) { for _ in 0..<count { blackHole(body()) } }
        }
        let allocations = AllocationCounter.allocationsPerCall(10_000) { blackHole(body()) }
        return Row(name: name, twistedName: twisted, unit: "ns/chain", value: median(samples),
                   allocations: allocations, deferreds: deferreds, stages: stages)
    }

    private func awaitRows() -> [Row] {
        var rows: [Row] = []
        if selected("deferred.await_1000_fired") {
            let fired = DeferredAwaitWorkloads.await1000Fired(iterations: iterations(200), repetitions: repetitions)
            rows.append(Row(name: "deferred.await_1000_fired", twistedName: "await_1000_fired", unit: "µs/run",
                            value: fired.microsecondsPerRun, allocations: fired.allocationsPerRun,
                            deferreds: 1_001, stages: 1_000))
        }
        if selected("deferred.await_20_unfired") {
            let unfired = DeferredAwaitWorkloads.await20Unfired(
                eachAwaitSuspends: false, iterations: iterations(5_000), repetitions: repetitions)
            rows.append(Row(name: "deferred.await_20_unfired", twistedName: "await_20_unfired", unit: "µs/run",
                            value: unfired.microsecondsPerRun, allocations: unfired.allocationsPerRun,
                            deferreds: 21, stages: 20))
        }
        if selected("deferred.await_20_unfired (each await suspends)") {
            let suspending = DeferredAwaitWorkloads.await20Unfired(
                eachAwaitSuspends: true, iterations: iterations(2_000), repetitions: repetitions)
            rows.append(Row(name: "deferred.await_20_unfired (each await suspends)", twistedName: "await_20_unfired",
                            unit: "µs/run", value: suspending.microsecondsPerRun,
                            allocations: suspending.allocationsPerRun, deferreds: 21, stages: 20))
        }
        return rows
    }

    /// `deferreds.py`'s add benchmarks, in ns and allocations per stage (4n stages per run).
    private func addN(_ n: Int, _ mode: DeferredWorkloads.AddMode) -> Row? {
        let name = "deferred.add_n[\(n), \(mode.rawValue)]"
        guard selected(name) else { return nil }
        let stages = Double(4 * n)
        if mode != .noResult {
            let result = DeferredWorkloads.addN(n, mode).currentResult.flatMap { try? $0.get() }
            precondition(result == 1, "\(name): expected 1, got \(String(describing: result))")
        }
        let runs = max(1, iterations(400_000) / (4 * n))
        let samples = (0..<repetitions).map { _ in
            nanosecondsPerOperation(runs * 4 * n) { for _ in 0..<runs { blackHole(DeferredWorkloads.addN(n, mode)) } }
        }
        let perRun = AllocationCounter.allocationsPerCall(max(1, runs / 4)) { blackHole(DeferredWorkloads.addN(n, mode)) }
        return Row(name: name, twistedName: "add_n[\(n), \(mode.rawValue)]", unit: "ns/stage", value: median(samples),
                   allocations: perRun / stages, deferreds: 1 / stages, stages: 1)
    }
}

/// Keeps a value alive as far as the optimizer knows, so timed work is not removed.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
