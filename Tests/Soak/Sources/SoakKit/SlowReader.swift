import CSoakSupport
import Glibc

/// Slow readers: clients that send netstrings as fast as they can and never read. The server's
/// echo pauses reading from each once its transport queues more than the high-water mark, so the
/// bytes queued per connection stay bounded; meanwhile a healthy client's echo latency is measured
/// before and during.
///
/// Queued bytes are measured indirectly: what the server's protocol wrote on that connection (the
/// stats port's per-connection count) less what the kernel holds (the server socket's send queue
/// and the client socket's receive queue, from /proc/net/tcp) is what still sits in the Twist
/// transport's write queue.
public enum SlowReader {
    /// The transport's high-water mark and the reactor's receive buffer (Sources/Twist/Internet).
    static let highWaterMark = 65_536
    static let receiveBuffer = 65_536
    static let messageSize = 1_024

    public static func run(_ context: SoakContext) throws(LoadError) -> ScenarioResult {
        var result = ScenarioResult(name: "slow reader")
        let baseline = try context.stats.snapshot()
        let probe = try Probe(port: context.server.echoPort, size: 100, random: &context.random)
        let before = try probe.measure(context.config.latencySamples / 2)

        // The slow readers: small receive buffers so the kernel fills quickly and the rest queues in Twist.
        var readers: [Int32] = []
        defer { readers.forEach { soak_set_linger_zero($0); close($0) } }
        for _ in 0..<context.config.slowReaders {
            let fd = soak_connect_loopback(Int32(context.server.echoPort), 16_384)
            guard fd >= 0 else { throw LoadError("connect: \(String(cString: strerror(errno)))") }
            readers.append(fd)
        }
        let message = Netstring.frame(context.payload(messageSize - 6))
        var stream: [UInt8] = []
        for _ in 0..<64 { stream += message }
        var offsets = [Int](repeating: 0, count: readers.count)
        var pushed = [Int](repeating: 0, count: readers.count)
        var during: [Double] = []
        let end = monotonicNow() + context.config.slowSeconds
        var midpoint: [Int]?
        while monotonicNow() < end || during.count < context.config.latencySamples / 2 {
            for (index, fd) in readers.enumerated() {
                while true {
                    let sent = stream[offsets[index]...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                    if sent <= 0 { break }
                    pushed[index] += sent
                    offsets[index] = (offsets[index] + sent) % message.count
                }
            }
            during.append(try probe.once())
            if midpoint == nil, monotonicNow() > end - context.config.slowSeconds / 2 {
                midpoint = try readers.map { fd throws(LoadError) in try context.stats.connection(peerPort: Int(soak_local_port(fd)))?["in"] ?? -1 }
            }
            if monotonicNow() > end + 30 { break }
        }

        // Per connection: what the protocol wrote, less what the kernel holds, is what Twist queues.
        let bound = highWaterMark + receiveBuffer + 2 * message.count
        var worst = 0
        var stillReading = 0
        var totalPauses = 0
        let kernel = KernelQueues()
        for (index, fd) in readers.enumerated() {
            let port = Int(soak_local_port(fd))
            guard let figures = try context.stats.connection(peerPort: port) else {
                result.check(false, "slow reader \(index) is not connected any more")
                continue
            }
            let serverSide = kernel.socket(local: context.server.echoPort, remote: port)?.send ?? 0
            let clientSide = kernel.socket(local: port, remote: context.server.echoPort)?.receive ?? 0
            let queued = (figures["out"] ?? 0) - serverSide - clientSide
            worst = max(worst, queued)
            totalPauses += figures["pauses"] ?? 0
            if let midpoint, figures["in"] != midpoint[index] { stillReading += 1 }
            result.check(queued <= bound, "slow reader \(index): \(queued) bytes queued in the transport (bound \(bound))")
            result.check((figures["pauses"] ?? 0) > 0, "slow reader \(index): reading was never paused")
            _ = pushed
        }
        result.check(stillReading == 0, "\(stillReading) slow readers were still being read from in the second half")
        let after = summary(during)
        let beforeFigures = summary(before)
        let allowed = beforeFigures.p99 * 5 + 0.005
        result.check(after.p99 <= allowed, "echo p99 \(millis(after.p99)) while slow readers push (allowed \(millis(allowed)))")
        result.note("\(readers.count) readers pushed \(mebibytes(pushed.reduce(0, +) / 1024)) in \(secs(context.config.slowSeconds))")
        result.note("max queued \(worst / 1024) KiB/conn (bound \(bound / 1024) KiB)")
        result.note("\(totalPauses) pauses")
        result.note("echo p50/p99 \(millis(beforeFigures.p50))/\(millis(beforeFigures.p99)) before, \(millis(after.p50))/\(millis(after.p99)) during")
        readers.forEach { soak_set_linger_zero($0); close($0) }
        readers = []
        probe.close()
        try context.settle(to: baseline, into: &result)
        return result
    }

    static func summary(_ samples: [Double]) -> (p50: Double, p99: Double) {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return (0, 0) }
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
    }
}

/// A healthy echo client that measures round trips (blocking, one netstring at a time).
final class Probe {
    private let fd: Int32
    private let frame: [UInt8]
    private var reply: [UInt8]

    init(port: Int, size: Int, random: inout SeededRandom) throws(LoadError) {
        let fd = soak_connect_loopback(Int32(port), 0)
        guard fd >= 0 else { throw LoadError("probe connect: \(String(cString: strerror(errno)))") }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&poller, 1, 5_000)
        guard soak_socket_error(fd) == 0, soak_set_blocking(fd, 5_000) == 0 else {
            Glibc.close(fd)
            throw LoadError("probe connect failed")
        }
        self.fd = fd
        frame = Netstring.frame(random.bytes(size))
        reply = [UInt8](repeating: 0, count: frame.count)
    }

    deinit { close() }

    private var closed = false

    func close() {
        if !closed { Glibc.close(fd) }
        closed = true
    }

    /// One round trip, checked byte for byte; its duration in seconds.
    func once() throws(LoadError) -> Double {
        let started = monotonicNow()
        let sent = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == frame.count else { throw LoadError("probe send failed: \(String(cString: strerror(errno)))") }
        var got = 0
        while got < frame.count {
            let count = reply[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw LoadError("probe: no echo (\(count == 0 ? "closed" : String(cString: strerror(errno))))") }
            got += count
        }
        guard reply == frame else { throw LoadError("probe: the echo differs from what was sent") }
        return monotonicNow() - started
    }

    /// `count` round trips.
    func measure(_ count: Int) throws(LoadError) -> [Double] {
        var samples: [Double] = []
        for _ in 0..<count { samples.append(try once()) }
        return samples
    }
}
