/// What one scenario reports: PASS or FAIL, its figures, and why it failed.
public struct ScenarioResult: Sendable {
    public let name: String
    public var figures: [String] = []
    public var failures: [String] = []
    public var passed: Bool { failures.isEmpty }

    public init(name: String) { self.name = name }

    /// Adds a figure for the report line.
    public mutating func note(_ figure: String) { figures.append(figure) }

    /// Records a failure unless `condition` holds.
    public mutating func check(_ condition: Bool, _ failure: @autoclosure () -> String) {
        if !condition { failures.append(failure()) }
    }

    /// The report line, and the failures indented below it.
    public var report: String {
        let head = "\(name + String(repeating: " ", count: max(0, 12 - name.count))) \(passed ? "PASS" : "FAIL")  \(figures.joined(separator: ", "))"
        return ([head] + failures.prefix(8).map { "    - \($0)" }).joined(separator: "\n")
    }
}

/// Formats `kib` KiB as MiB with one decimal.
func mebibytes(_ kib: Int) -> String {
    let tenths = (kib * 10 + (kib >= 0 ? 512 : -512)) / 1024
    return "\(tenths / 10).\(abs(tenths % 10)) MiB"
}

/// Formats seconds as milliseconds with two decimals.
func millis(_ seconds: Double) -> String {
    let hundredths = Int((seconds * 100_000).rounded())
    return "\(hundredths / 100).\(String(hundredths % 100).leftPadded(to: 2)) ms"
}

/// Formats seconds with one decimal.
public func secs(_ seconds: Double) -> String {
    let tenths = Int((seconds * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) s"
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
