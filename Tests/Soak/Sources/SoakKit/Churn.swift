/// Churn: many short connections (connect, one message, close), most to the echo, every tenth a
/// request to the transform server. Afterwards descriptors and live objects are back at the
/// baseline and resident memory grew by at most a stated bound.
public enum Churn {
    /// A poem for the transform requests (ASCII, so `shout` upper-cases it byte for byte).
    static let poem = "Tyger Tyger, burning bright,\nIn the forests of the night;\nWhat immortal hand or eye,\nCould frame thy fearful symmetry?\n"

    public static func run(_ context: SoakContext) throws(LoadError) -> ScenarioResult {
        var result = ScenarioResult(name: "churn")
        let total = context.config.churnConnections
        // A warm-up first, so the baseline includes the allocator's steady state.
        _ = try drive(context, count: min(2_000, total / 10))
        let baseline = try context.stats.wait(timeout: 10) { $0["echo_objects"] == 0 && $0["transform_live"] == 0 }
        let started = monotonicNow()
        let (ok, failures) = try drive(context, count: total)
        let elapsed = monotonicNow() - started
        result.check(ok == total, "\(total - ok) of \(total) exchanges failed; first: \(failures.first ?? "?")")
        let after = try context.settle(to: baseline, into: &result)
        let growth = (after["rss_kb"] ?? 0) - (baseline["rss_kb"] ?? 0)
        result.check(growth <= context.config.churnRSSBoundKiB, "RSS grew \(mebibytes(growth)) (bound \(mebibytes(context.config.churnRSSBoundKiB)))")
        result.figures.insert("\(ok)/\(total) conns in \(secs(elapsed)) (\(Int(Double(total) / elapsed))/s)", at: 0)
        let bound = context.config.churnRSSBoundKiB == .max ? "not bounded" : "bound \(mebibytes(context.config.churnRSSBoundKiB))"
        result.note("rss \(mebibytes(baseline["rss_kb"] ?? 0))→\(mebibytes(after["rss_kb"] ?? 0)) (+\(mebibytes(growth)), \(bound))")
        return result
    }

    /// Runs `count` exchanges, `churnConcurrency` at a time; returns how many succeeded and the
    /// first failures.
    static func drive(_ context: SoakContext, count: Int) throws(LoadError) -> (Int, [String]) {
        let driver = try ExchangeDriver()
        let request = Netstring.frame(Array(("shout." + poem).utf8))
        let reply = Netstring.frame(Array(poem.uppercased().utf8))
        var started = 0
        var ok = 0
        var failures: [String] = []
        var openError: LoadError?
        driver.run(until: monotonicNow() + 600, concurrency: context.config.churnConcurrency, refill: {
            guard started < count, openError == nil else { return nil }
            started += 1
            do throws(LoadError) {
                if started % 10 == 0 {
                    return try LoadConnection.open(
                        port: context.server.transformPort, label: "transform #\(started)", outgoing: request,
                        expected: reply, expectClose: true)
                }
                let frame = Netstring.frame(context.payload(Int.random(in: 1...512, using: &context.random)))
                return try LoadConnection.open(port: context.server.echoPort, label: "echo #\(started)", outgoing: frame, expected: frame)
            } catch {
                openError = error
                return nil
            }
        }) { connection in
            if case .failed(let why) = connection.outcome {
                if failures.count < 5 { failures.append("\(connection.label): \(why)") }
            } else {
                ok += 1
            }
        }
        if let openError { throw openError }
        return (ok, failures)
    }
}
