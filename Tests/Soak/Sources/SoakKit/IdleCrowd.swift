import Glibc

/// Idle crowd: many connections held open doing nothing; the server's resident memory per
/// connection is reported, it uses no CPU while they idle, and every one is served when it wakes.
public enum IdleCrowd {
    public static func run(_ context: SoakContext) throws(LoadError) -> ScenarioResult {
        var result = ScenarioResult(name: "idle crowd")
        let total = context.config.idleConnections
        let baseline = try context.stats.snapshot()
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        // Connect in batches, so the listen backlog never overflows into SYN retries.
        var failures: [String] = []
        while held.count < total, failures.isEmpty {
            let driver = try ExchangeDriver()
            for index in held.count..<min(total, held.count + 500) {
                driver.add(try LoadConnection.open(port: context.server.echoPort, label: "idle #\(index)", outgoing: [], expected: [], keepOpen: true))
            }
            driver.run(until: monotonicNow() + 30) { connection in
                if case .failed(let why) = connection.outcome { failures.append("\(connection.label): \(why)") } else { held.append(connection.fd) }
            }
        }
        result.check(failures.isEmpty, "connecting failed: \(failures.first ?? "")")
        let crowd = try context.stats.wait(timeout: 30) { $0["echo_open"] == held.count }
        result.check(crowd["echo_open"] == total, "the server holds \(crowd["echo_open"] ?? -1) of \(total) connections")
        let cpuBefore = processCPUSeconds(context.server.pid)
        pause(context.config.idleSeconds)
        let idleCPU = processCPUSeconds(context.server.pid) - cpuBefore
        let perConnection = Double(((crowd["rss_kb"] ?? 0) - (baseline["rss_kb"] ?? 0)) * 1024) / Double(max(total, 1))
        result.note("\(held.count) idle conns")
        result.note("rss +\(mebibytes((crowd["rss_kb"] ?? 0) - (baseline["rss_kb"] ?? 0))) = \(Int(perConnection)) B/conn")
        result.note("server CPU while idle \(Int(idleCPU * 1000)) ms in \(secs(context.config.idleSeconds))")
        result.check(idleCPU < 0.2 * context.config.idleSeconds, "the server used \(idleCPU) s of CPU while its clients idled")

        // Wake every one: one netstring each, checked byte for byte.
        let driver = try ExchangeDriver()
        for (index, fd) in held.enumerated() {
            let frame = Netstring.frame(context.payload(Int.random(in: 1...256, using: &context.random)))
            driver.add(LoadConnection(fd: fd, label: "idle #\(index)", outgoing: frame, expected: frame, connected: true))
        }
        held = []  // the driver closes them now
        var served = 0
        let wakeStart = monotonicNow()
        driver.run(until: monotonicNow() + 60) { connection in
            if case .failed(let why) = connection.outcome { failures.append("\(connection.label): \(why)") } else { served += 1 }
        }
        result.check(served == total, "\(total - served) of \(total) woken connections not served; first: \(failures.first ?? "")")
        result.note("\(served)/\(total) served on waking in \(secs(monotonicNow() - wakeStart))")
        try context.settle(to: baseline, into: &result)
        return result
    }
}
