import Glibc

/// Descriptor exhaustion: a server started with a low RLIMIT_NOFILE gets a flood of connections,
/// far more than it has descriptors for, held open. It must keep running, refuse what it cannot
/// take without spinning (its CPU use while the flood is held is measured), keep answering an
/// existing connection, and serve new clients once the flood is gone.
public enum DescriptorExhaustion {
    public static func run(_ context: SoakContext) throws(LoadError) -> ScenarioResult {
        var result = ScenarioResult(name: "exhaustion")
        let baseline = try context.stats.snapshot()
        let probe = try Probe(port: context.server.echoPort, size: 64, random: &context.random)
        _ = try probe.once()

        // The flood: each client sends one netstring and keeps its connection open.
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        var refused = 0
        var other: [String] = []
        let flood = try ExchangeDriver()
        for index in 0..<context.config.floodConnections {
            let frame = Netstring.frame(context.payload(16))
            flood.add(try .open(port: context.server.echoPort, label: "flood #\(index)", outgoing: frame, expected: frame, keepOpen: true))
        }
        flood.run(until: monotonicNow() + 60) { connection in
            switch connection.outcome {
            case .ok?: held.append(connection.fd)
            case .failed(let why)? where why.hasPrefix("closed by the server") || why.hasPrefix("Connection reset"): refused += 1
            case .failed(let why)?: other.append("\(connection.label): \(why)")
            case nil: break
            }
        }
        result.check(other.isEmpty, "\(other.count) flood clients neither served nor refused; first: \(other.first ?? "")")
        result.check(refused > 0, "the flood never exhausted the server's descriptors (all \(held.count) served)")

        // While the flood is held: the existing connection still echoes, the stats port answers,
        // and the server does not spin.
        let cpuBefore = processCPUSeconds(context.server.pid)
        let holdEnd = monotonicNow() + context.config.floodHoldSeconds
        var pings: [Double] = []
        do {
            while monotonicNow() < holdEnd {
                pings.append(try probe.once())
                pause(0.01)
            }
        } catch {
            result.check(false, "the existing connection stopped answering during the flood: \(error)")
        }
        let peak = processOpenDescriptors(context.server.pid)
        do {
            _ = try context.stats.snapshot()
        } catch {
            result.check(false, "the stats port stopped answering during the flood: \(error)")
        }
        let cpu = processCPUSeconds(context.server.pid) - cpuBefore
        result.check(cpu < 0.5 * context.config.floodHoldSeconds, "the server used \(cpu) s of CPU while the flood was held")
        result.note("limit \(context.config.exhaustionLimit) fds: \(held.count) served, \(refused) refused of \(context.config.floodConnections)")
        result.note("server fds at peak \(peak)")
        result.note("\(pings.count) echoes on an existing conn during the flood (max \(millis(pings.max() ?? 0)))")
        result.note("server CPU \(Int(cpu * 1000)) ms in \(secs(context.config.floodHoldSeconds))")

        held.forEach { close($0) }
        held = []
        _ = try context.stats.wait(timeout: 10) { $0["fds"] == (baseline["fds"] ?? 0) + 1 }  // + the probe

        // New clients after the flood.
        let fresh = 200
        var served = 0
        let driver = try ExchangeDriver()
        var started = 0
        var openError: LoadError?
        driver.run(until: monotonicNow() + 60, concurrency: 32, refill: {
            guard started < fresh, openError == nil else { return nil }
            started += 1
            let frame = Netstring.frame(context.payload(100))
            do throws(LoadError) { return try .open(port: context.server.echoPort, label: "after #\(started)", outgoing: frame, expected: frame) } catch {
                openError = error
                return nil
            }
        }) { connection in
            if connection.outcome == .ok { served += 1 } else if case .failed(let why) = connection.outcome { result.check(false, "\(connection.label): \(why)") }
        }
        if let openError { throw openError }
        result.check(served == fresh, "only \(served) of \(fresh) new clients were served after the flood")
        result.note("\(served)/\(fresh) new clients served after")
        probe.close()
        try context.settle(to: baseline, into: &result)
        return result
    }
}
