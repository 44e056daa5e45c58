import Foundation

/// The Markdown table of medians that twist-bench prints.
enum MarkdownTable {
    static func render(_ rows: [Summary], scenarios: [Scenario]) -> String {
        var lines = [
            "| scenario | peer | median | × raw C | × SwiftNIO | server CPU per op | server CPU | load gen CPU | p50 / p99 µs | server RSS |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for scenario in scenarios {
            for row in rows where row.isRow(of: scenario) {
                let better = row.higherIsBetter ? "higher is better" : "lower is better"
                // UDP rows: the datagrams lost (median of the runs) follow the rate.
                let lost = row.lostDatagrams.map { ", \(number($0)) lost" } ?? ""
                let latency = row.p50Microseconds.map { p50 in
                    "\(number(p50)) / \(row.p99Microseconds.map(number) ?? "–")"
                } ?? "–"
                lines.append(
                    "| \(scenario.label) (\(better)) | \(row.peer) | \(number(row.value)) \(row.unit)\(lost) | \(ratio(row.ratioToRawC)) | \(ratio(row.ratioToNIO)) | "
                        + "\(row.serverCPUPerOperationMicroseconds.map { "\(number($0)) µs/\(row.operation)" } ?? "–") | "
                        + "\(row.serverCPUShare.map(percent) ?? "–") | \(row.loadgenCPUShare.map(percent) ?? "–") | \(latency) | "
                        + "\(row.serverResidentBytes.map { "\(number($0 / 1_048_576)) MiB" } ?? "–") |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Three significant figures, with k/M/G for large values.
    static func number(_ value: Double) -> String {
        let magnitude = abs(value)
        let (scaled, suffix): (Double, String) =
            magnitude >= 1e9 ? (value / 1e9, " G") : magnitude >= 1e6 ? (value / 1e6, " M") : magnitude >= 1e4 ? (value / 1e3, " k") : (value, "")
        let scaledMagnitude = abs(scaled)
        let digits = scaledMagnitude >= 100 ? 0 : scaledMagnitude >= 10 ? 1 : 2
        return String(format: "%.\(digits)f", scaled) + suffix
    }

    static func ratio(_ value: Double?) -> String {
        value.map { String(format: $0 >= 10 ? "%.1f×" : "%.2f×", $0) } ?? "–"
    }

    static func percent(_ value: Double) -> String {
        String(format: "%.0f%%", value * 100)
    }
}
