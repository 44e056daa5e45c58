import CSoakSupport
import Glibc

/// Resets: peers that vanish with a reset (SO_LINGER 0) in the middle of a request the server is
/// reading, and in the middle of a reply the server is writing. The server must not crash (no
/// SIGPIPE), must not leak a descriptor or an object, and must keep serving.
public enum Resets {
    public static func run(_ context: SoakContext) throws(LoadError) -> ScenarioResult {
        var result = ScenarioResult(name: "resets")
        let baseline = try context.stats.snapshot()
        let probe = try Probe(port: context.server.echoPort, size: 64, random: &context.random)
        _ = try probe.once()
        let count = context.config.resets
        // Mid-read: half a netstring's payload, then a reset.
        let partial = Array("50000:".utf8) + context.payload(10_000)
        let readResets = try drive(context, count: count, label: "mid-read") { index throws(LoadError) in
            try .open(port: context.server.echoPort, label: "mid-read #\(index)", outgoing: partial, expected: [], keepOpen: true)
        }
        // Mid-write: a 90 KB request; read the first 2 KiB of its echo (the server is writing), then reset.
        let big = Netstring.frame(context.payload(90_000))
        let writeResets = try drive(context, count: count, label: "mid-write") { index throws(LoadError) in
            try .open(port: context.server.echoPort, label: "mid-write #\(index)", outgoing: big, expected: Array(big.prefix(2_048)),
                keepOpen: true, receiveBuffer: 4_096)
        }
        result.check(readResets.ok == count, "\(count - readResets.ok) mid-read clients failed; first: \(readResets.first ?? "")")
        result.check(writeResets.ok == count, "\(count - writeResets.ok) mid-write clients failed; first: \(writeResets.first ?? "")")
        do {
            _ = try probe.once()
        } catch {
            result.check(false, "an existing connection stopped echoing: \(error)")
        }
        probe.close()
        result.note("\(readResets.ok) reset mid-read + \(writeResets.ok) reset mid-write")
        try context.settle(to: baseline, into: &result)
        result.note("server alive")
        return result
    }

    /// Runs `count` clients made by `make`, 64 at a time, resetting each once its exchange is done.
    static func drive(
        _ context: SoakContext, count: Int, label: String, make: @escaping (Int) throws(LoadError) -> LoadConnection
    ) throws(LoadError) -> (ok: Int, first: String?) {
        let driver = try ExchangeDriver()
        var started = 0
        var ok = 0
        var first: String?
        var makeError: LoadError?
        driver.run(until: monotonicNow() + 300, concurrency: 64, refill: {
            guard started < count, makeError == nil else { return nil }
            started += 1
            do throws(LoadError) { return try make(started) } catch { makeError = error; return nil }
        }) { connection in
            if connection.outcome == .ok {
                ok += 1
                soak_set_linger_zero(connection.fd)
                close(connection.fd)
            } else if first == nil, case .failed(let why) = connection.outcome {
                first = "\(connection.label): \(why)"
            }
        }
        if let makeError { throw makeError }
        return (ok, first)
    }
}
