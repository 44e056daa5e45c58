import Glibc

/// Micro-benchmarks of Twist's hot paths. Prints Markdown tables for Docs/Benchmarks.md.
///
///     swift run -c release --package-path Benchmarks twist-microbench [timers] [deferred] [receivers] [process]
///         [--quick] [--compare-twisted] [--python PATH] [--only NAME-PART]
///
///     (process: deferToThread round trips and /bin/true spawn-and-reap vs SwiftNIO, swift-subprocess)
///
/// `--compare-twisted` runs the matching script in `Benchmarks/twisted/` (CPython + Twisted) after
/// the Deferred or receiver rows and prints both in one table with the ratio; `--python` picks
/// the interpreter.
@main
struct MicroBench {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        let quick = arguments.contains("--quick")
        let python = value(after: "--python", in: arguments)
        let only = value(after: "--only", in: arguments)
        let selected = Set(arguments.filter { !$0.hasPrefix("--") && $0 != python && $0 != only })
        let known: Set = ["timers", "deferred", "receivers", "process"]
        if let unknown = selected.subtracting(known).first {
            print("twist-microbench: unknown benchmark '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
            exit(2)
        }
        if selected.isEmpty || selected.contains("timers") {
            runTimers(quick: quick)
        }
        if selected.isEmpty || selected.contains("deferred") {
            if selected.isEmpty { print() }
            runDeferred(
                quick: quick, compareTwisted: arguments.contains("--compare-twisted"), python: python ?? "python3",
                only: only)
        }
        if selected.isEmpty || selected.contains("process") {
            if selected.isEmpty { print() }
            runProcess(
                quick: quick, compareTwisted: arguments.contains("--compare-twisted"), python: python ?? "python3",
                only: only)
        }
        if selected.isEmpty || selected.contains("receivers") {
            if selected.isEmpty { print() }
            runReceivers(
                quick: quick, compareTwisted: arguments.contains("--compare-twisted"), python: python ?? "python3")
        }
    }

    static func runProcess(quick: Bool, compareTwisted: Bool, python: String, only: String?) {
        let benchmark = ProcessBenchmark(repetitions: quick ? 3 : 5, scale: quick ? 0.1 : 1, only: only)
        let rows = benchmark.run()
        let twisted = compareTwisted
            ? TwistedComparison.run(script: "process_bench.py", python: python, quick: quick) : nil
        print("### Processes and threads: operations per second (median of \(benchmark.repetitions))")
        print()
        if let twisted { print("Twisted column: \(twisted.versions).\n") }
        print("CPU columns: the process's CPU time (user + system, all threads) per operation, in µs.\n")
        print("| workload | Twist | Twist CPU | Swift peer | peer | peer CPU | Twist ÷ peer |" + (twisted == nil ? "" : " Twisted | Twist ÷ Twisted |"))
        print("|---|---:|---:|---|---:|---:|---:|" + (twisted == nil ? "" : "---:|---:|"))
        for row in rows {
            let peer = row.peer.map { "\(format($0)) | \(format(row.peerCPU ?? 0)) | \(format(row.twist / $0))×" } ?? "— | — | —"
            var line = "| \(row.name) | \(format(row.twist)) | \(format(row.twistCPU)) | \(row.peerName) | \(peer) |"
            if let twisted {
                if let theirs = twisted.values[row.name] {
                    line += " \(format(theirs)) | \(format(row.twist / theirs))× |"
                } else {
                    line += " — | — |"
                }
            }
            print(line)
        }
    }

    static func runReceivers(quick: Bool, compareTwisted: Bool, python: String) {
        let benchmark = ReceiverBenchmark(repetitions: quick ? 3 : 9)
        let rows = benchmark.run()
        let twisted = compareTwisted
            ? TwistedComparison.run(script: "receiver_bench.py", python: python, quick: quick) : nil
        print("### Receivers: one stream fed in reads of a fixed size (median of \(benchmark.repetitions))")
        print()
        if let twisted { print("Twisted column: \(twisted.versions).\n") }
        print("| workload | read size | MB/s | messages/s | allocations per message |" + (twisted == nil ? "" : " Twisted MB/s | Twist ÷ Twisted |"))
        print("|---|---:|---:|---:|---:|" + (twisted == nil ? "" : "---:|---:|"))
        for row in rows {
            var line = "| \(row.name) | \(row.readSize) | \(format(row.megabytesPerSecond)) | \(Int(row.messagesPerSecond.rounded())) | \(String(format: "%.3f", row.allocationsPerMessage)) |"
            if let twisted {
                if let theirs = twisted.values["\(row.name).\(row.readSize)"] {
                    line += " \(format(theirs)) | \(format(row.megabytesPerSecond / theirs))× |"
                } else {
                    line += " — | — |"
                }
            }
            print(line)
        }
    }

    /// The argument following `option`, if any.
    static func value(after option: String, in arguments: ArraySlice<String>) -> String? {
        guard let index = arguments.firstIndex(of: option), arguments.index(after: index) < arguments.endIndex else {
            return nil
        }
        return arguments[arguments.index(after: index)]
    }

    static func runDeferred(quick: Bool, compareTwisted: Bool, python: String, only: String?) {
        let benchmark = DeferredBenchmark(repetitions: quick ? 3 : 7, scale: quick ? 0.1 : 1, only: only)
        let rows = benchmark.run()
        let twisted = compareTwisted ? TwistedComparison.run(python: python, quick: quick) : nil
        DeferredTable.print(rows, twisted: twisted, repetitions: benchmark.repetitions)
    }

    static func runTimers(quick: Bool) {
        let benchmark = TimerBenchmark(
            pendingCounts: [1_000, 10_000, 100_000],
            operations: quick ? 2_000 : 10_000,
            repetitions: quick ? 1 : 7
        )
        print("### Delayed calls with n already pending (ns per operation, median of \(benchmark.repetitions))")
        print()
        print("| pending calls n | callLater | reset(to:) | cancel() | fire (advance) | log2(n) |")
        print("|---:|---:|---:|---:|---:|---:|")
        for row in benchmark.run() {
            let log2n = log2(Double(row.pending))
            print("| \(row.pending) | \(format(row.addNanoseconds)) | \(format(row.resetNanoseconds)) | \(format(row.cancelNanoseconds)) | \(format(row.fireNanoseconds)) | \(format(log2n)) |")
        }
        print()
        let count = quick ? 10_000 : 100_000
        let repetitions = quick ? 1 : 5
        let loopFire = median((0..<repetitions).map { _ in reactorFireNanoseconds(count: count) })
        let handOff = median((0..<repetitions).map { _ in callFromThreadNanoseconds(count: count) })
        print("### The running reactor (ns per call, median of \(repetitions), \(count) calls)")
        print()
        print("| path | ns per call |")
        print("|---|---:|")
        print("| callLater(0) scheduled before run(), fired by the libev loop | \(format(loopFire)) |")
        print("| callFromThread from one other thread, until the last has run | \(format(handOff)) |")
    }

    static func format(_ value: Double) -> String {
        let scaled = (value * 10).rounded() / 10
        return "\(scaled)"
    }
}

