/// Prints the Deferred benchmark rows as one Markdown table, with the Twisted column and the
/// Twisted/Twist ratio when a Twisted report is given.
enum DeferredTable {
    static func print(_ rows: [DeferredBenchmark.Row], twisted: TwistedComparison.Report?, repetitions: Int) {
        Swift.print("### Deferred (median of \(repetitions); allocations counted in-process)")
        Swift.print()
        if let twisted, !twisted.versions.isEmpty { Swift.print("Twisted side: \(twisted.versions)\n") }
        var header = "| benchmark | unit | Twist |"
        var rule = "|---|---|---:|"
        if twisted != nil {
            header += " Twisted (CPython) | Twisted/Twist |"
            rule += "---:|---:|"
        }
        header += " Twist allocs per op | Twist allocs per stage |"
        rule += "---:|---:|"
        Swift.print(header)
        Swift.print(rule)
        for row in rows {
            var line = "| `\(row.name)` | \(row.unit) | \(format(row.value)) |"
            if let twisted {
                if let other = twisted.values[row.twistedName] {
                    line += " \(format(other)) | \(format(other / row.value))× |"
                } else {
                    line += " — | — |"
                }
            }
            let perStage = row.stages > 0 ? format(row.allocationsPerStage) : "—"
            line += " \(format(row.allocations)) | \(perStage) |"
            Swift.print(line)
        }
    }

    /// Three significant figures at most, one decimal under 100.
    static func format(_ value: Double) -> String {
        if value >= 100 { return "\(Int(value.rounded()))" }
        if value >= 10 { return "\((value * 10).rounded() / 10)" }
        return "\((value * 100).rounded() / 100)"
    }
}
