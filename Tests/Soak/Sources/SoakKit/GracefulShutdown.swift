import CSoakSupport
import Glibc

/// Graceful shutdown: SIGTERM while many connections have replies queued in the server (their
/// clients have not read yet). The server's shutdown trigger must run, every queued byte must
/// reach its client (checked byte for byte, then a clean end of file) within a bound, and the
/// server must exit with status 0.
public enum GracefulShutdown {
    public static func run(_ context: SoakContext) throws(LoadError) -> ScenarioResult {
        var result = ScenarioResult(name: "shutdown")
        let total = context.config.shutdownConnections
        var block = context.payload(1 << 20)
        block += block.prefix(context.config.shutdownPayload)
        func frame(_ index: Int) -> [UInt8] {
            (0..<context.config.shutdownMessages).flatMap { message in
                let start = ((index * context.config.shutdownMessages + message) * 7_919) % (1 << 20)
                return Netstring.frame(block[start..<(start + context.config.shutdownPayload)])
            }
        }
        // Send every request; read nothing yet.
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        var failures: [String] = []
        let sending = try ExchangeDriver()
        var started = 0
        var openError: LoadError?
        sending.run(until: monotonicNow() + 120, concurrency: 200, refill: {
            guard started < total, openError == nil else { return nil }
            defer { started += 1 }
            do throws(LoadError) {
                return try .open(port: context.server.echoPort, label: "conn #\(started)", outgoing: frame(started), expected: [],
                    keepOpen: true, receiveBuffer: 4_096)
            } catch {
                openError = error
                return nil
            }
        }) { connection in
            if connection.outcome == .ok { held.append(connection.fd) } else if case .failed(let why) = connection.outcome { failures.append(why) }
        }
        if let openError { throw openError }
        guard failures.isEmpty else {
            result.check(false, "sending the requests failed: \(failures.first ?? "")")
            return result
        }
        let frameSize = frame(0).count
        let written = try context.stats.wait(timeout: 60) { $0["bytes_out"] == total * frameSize }
        result.check(written["bytes_out"] == total * frameSize, "the server wrote \(written["bytes_out"] ?? -1) of \(total * frameSize) bytes")

        // How much sits in the transports' queues (what the protocols wrote less what the kernel holds).
        let kernel = KernelQueues()
        var inKernel = 0
        var withQueue = 0
        for fd in held {
            let port = Int(soak_local_port(fd))
            let here = (kernel.socket(local: context.server.echoPort, remote: port)?.send ?? 0)
                + (kernel.socket(local: port, remote: context.server.echoPort)?.receive ?? 0)
            inKernel += here
            if here < frameSize { withQueue += 1 }
        }
        let queued = total * frameSize - inKernel
        result.check(withQueue == total, "only \(withQueue) of \(total) connections had data queued in the server at SIGTERM")

        // SIGTERM, then every client reads its whole reply and the end of file.
        let signalled = monotonicNow()
        context.server.send(signal: SIGTERM)
        let reading = try ExchangeDriver()
        for (index, fd) in held.enumerated() {
            reading.add(LoadConnection(fd: fd, label: "conn #\(index)", outgoing: [], expected: frame(index), expectClose: true, connected: true))
        }
        held = []
        var flushed = 0
        var lastEnd = signalled
        reading.run(until: signalled + context.config.shutdownFlushBound) { connection in
            if connection.outcome == .ok {
                flushed += 1
                lastEnd = max(lastEnd, connection.endedAt)
            } else if case .failed(let why) = connection.outcome, failures.count < 3 {
                failures.append("\(connection.label): \(why)")
            }
        }
        result.check(flushed == total, "\(total - flushed) of \(total) replies were not delivered in full; first: \(failures.first ?? "")")
        let status = context.server.waitForExit(timeout: 30)
        let exited = monotonicNow()
        result.check(status == 0, "the server's exit status is \(status.map(String.init) ?? "none (still running)"), want 0")
        let lines = context.server.outputLines
        result.check(lines.contains { $0.hasPrefix("shutdown: trigger ran, draining \(total) connections") }, "the shutdown trigger did not report draining \(total) connections")
        result.check(lines.contains { $0.hasPrefix("shutdown: drained \(total) connections") }, "the drain did not finish: \(lines.last ?? "")")
        result.check(lines.contains("shutdown: after-trigger ran"), "the after-shutdown trigger did not run")
        result.note("\(total) conns, \(mebibytes(queued / 1024)) queued in Twist at SIGTERM (+\(mebibytes(inKernel / 1024)) in the kernel)")
        result.note("\(flushed)/\(total) replies flushed intact in \(millis(lastEnd - signalled)) (bound \(secs(context.config.shutdownFlushBound)))")
        result.note("exit \(status.map(String.init) ?? "-") after \(millis(exited - signalled))")
        return result
    }
}
