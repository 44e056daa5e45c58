import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Subprocess
import Twist

/// Processes and threads: `deferToThread` round trips and `/bin/true` spawned and reaped, per
/// second, in Twist and in its Swift peers (SwiftNIO's `NIOThreadPool.runIfActive` with the hop
/// back to the EventLoop; swift-subprocess's `run`). The rows match `Benchmarks/twisted/process_bench.py`:
///
/// - `defertothread.sequential`: one round trip in flight; each result, delivered on the reactor
///   (or event-loop) thread, submits the next.
/// - `defertothread.batch`: all submitted at once from the reactor thread, all results awaited there.
/// - `spawn.true`: one child at a time; the end of each spawns the next. Twist and Twisted give
///   it three pipes (their default); swift-subprocess's `run` collects output and error through
///   pipes (`.bytes`), with no input.
/// - `spawn.true.nopipes`: the same with no pipe: Twist's `childFDs: [:]` (nothing open in the
///   child), swift-subprocess with output and error discarded (/dev/null), its cheapest form.
struct ProcessBenchmark {
    /// One row: Twist's rate and the Swift peer's, per second (nil when the peer has no such row),
    /// and the process CPU time (user + system, every thread) each spent per operation, in µs.
    struct Row {
        let name: String
        let twist: Double
        let twistCPU: Double
        let peer: Double?
        let peerCPU: Double?
        let peerName: String

        init(name: String, twist: Measured, peer: Measured, peerName: String) {
            self.name = name
            self.twist = twist.rate
            self.twistCPU = twist.cpuMicroseconds
            self.peer = peer.rate
            self.peerCPU = peer.cpuMicroseconds
            self.peerName = peerName
        }
    }

    /// A median rate, and the CPU time per operation over all repetitions.
    struct Measured {
        let rate: Double
        let cpuMicroseconds: Double
    }

    /// Runs `body` (which performs `operations` operations and returns its median rate) and
    /// measures the process's CPU time around it.
    private static func measure(operations: Int, _ body: () -> Double) -> Measured {
        let before = processCPUSeconds()
        let rate = body()
        return Measured(rate: rate, cpuMicroseconds: (processCPUSeconds() - before) / Double(operations) * 1e6)
    }

    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    let repetitions: Int
    let scale: Double

    /// Only the rows whose name contains this, when set (`--only`).
    var only: String?

    func run() -> [Row] {
        let roundTrips = max(100, Int(20_000 * scale))
        let spawns = max(20, Int(500 * scale))
        let rows: [(String, () -> Row)] = [
            ("defertothread.sequential", {
                Row(
                    name: "defertothread.sequential",
                    twist: twistRate(count: roundTrips) { reactor, count, done in Self.sequentialDefers(reactor, count, done) },
                    peer: nioRate(count: roundTrips, batch: false), peerName: "NIOThreadPool")
            }),
            ("defertothread.batch", {
                Row(
                    name: "defertothread.batch",
                    twist: twistRate(count: roundTrips) { reactor, count, done in Self.batchDefers(reactor, count, done) },
                    peer: nioRate(count: roundTrips, batch: true), peerName: "NIOThreadPool")
            }),
            ("spawn.true", {
                Row(
                    name: "spawn.true",
                    twist: twistRate(count: spawns) { reactor, count, done in
                        Self.sequentialSpawns(reactor, count, ChildDescriptor.standard, done)
                    },
                    peer: subprocessRate(count: spawns, pipes: true), peerName: "swift-subprocess")
            }),
            ("spawn.true.nopipes", {
                Row(
                    name: "spawn.true.nopipes",
                    twist: twistRate(count: spawns) { reactor, count, done in Self.sequentialSpawns(reactor, count, [:], done) },
                    peer: subprocessRate(count: spawns, pipes: false), peerName: "swift-subprocess")
            }),
        ]
        return rows.filter { only == nil || $0.0.contains(only!) }.map { $0.1() }
    }

    // MARK: Twist

    /// Runs `workload` `repetitions` times on one reactor (on this thread); the median rate.
    private func twistRate(count: Int, _ workload: @escaping (Reactor, Int, @escaping () -> Void) -> Void) -> Measured {
        Self.measure(operations: count * repetitions) { twistMedianRate(count: count, workload) }
    }

    private func twistMedianRate(count: Int, _ workload: @escaping (Reactor, Int, @escaping () -> Void) -> Void) -> Double {
        let reactor = Reactor()
        var rates: [Double] = []
        let clock = ContinuousClock()
        func repetition() {
            guard rates.count < repetitions else {
                try? reactor.stop()
                return
            }
            let start = clock.now
            workload(reactor, count) {
                rates.append(Double(count) / seconds(clock.now - start))
                repetition()
            }
        }
        reactor.callWhenRunning { repetition() }
        try! reactor.run()
        return median(rates)
    }

    private static func sequentialDefers(_ reactor: Reactor, _ remaining: Int, _ done: @escaping () -> Void) {
        guard remaining > 0 else { return done() }
        _ = reactor.deferToThread { 1 }.addCallback { (_: Int) in sequentialDefers(reactor, remaining - 1, done) }
    }

    private static func batchDefers(_ reactor: Reactor, _ count: Int, _ done: @escaping () -> Void) {
        var left = count
        for _ in 0..<count {
            _ = reactor.deferToThread { 1 }.addCallback { (_: Int) in
                left -= 1
                if left == 0 { done() }
            }
        }
    }

    private static func sequentialSpawns(
        _ reactor: Reactor, _ remaining: Int, _ childFDs: [Int32: ChildDescriptor], _ done: @escaping () -> Void
    ) {
        guard remaining > 0 else { return done() }
        let ended = EndNotifier { sequentialSpawns(reactor, remaining - 1, childFDs, done) }
        _ = try! reactor.spawnProcess(ended, executable: "/bin/true", args: ["true"], childFDs: childFDs)
    }

    /// Calls `onEnd` at `processEnded`.
    private final class EndNotifier: ProcessProtocol {
        let onEnd: () -> Void
        init(_ onEnd: @escaping () -> Void) { self.onEnd = onEnd }
        override func processEnded(reason: Failure) throws { onEnd() }
    }

    // MARK: SwiftNIO

    /// `NIOThreadPool.runIfActive(eventLoop:)` (10 threads, as the reactor's pool) from one
    /// EventLoop: sequential or all at once; the median rate.
    private func nioRate(count: Int, batch: Bool) -> Measured {
        Self.measure(operations: count * repetitions) { nioMedianRate(count: count, batch: batch) }
    }

    private func nioMedianRate(count: Int, batch: Bool) -> Double {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = NIOThreadPool(numberOfThreads: 10)
        pool.start()
        defer {
            try? pool.syncShutdownGracefully()
            try? group.syncShutdownGracefully()
        }
        let loop = group.next()
        let clock = ContinuousClock()
        var rates: [Double] = []
        for _ in 0..<repetitions {
            let start = clock.now
            let finished = loop.makePromise(of: Void.self)
            loop.execute {
                if batch {
                    let left = NIOLoopBoundBox(count, eventLoop: loop)
                    for _ in 0..<count {
                        pool.runIfActive(eventLoop: loop) { 1 }.whenSuccess { _ in
                            left.value -= 1
                            if left.value == 0 { finished.succeed() }
                        }
                    }
                } else {
                    Self.nioSequential(pool, loop, count, finished)
                }
            }
            try! finished.futureResult.wait()
            rates.append(Double(count) / seconds(clock.now - start))
        }
        return median(rates)
    }

    private static func nioSequential(
        _ pool: NIOThreadPool, _ loop: any EventLoop, _ remaining: Int, _ finished: EventLoopPromise<Void>
    ) {
        guard remaining > 0 else { return finished.succeed() }
        pool.runIfActive(eventLoop: loop) { 1 }.whenSuccess { _ in nioSequential(pool, loop, remaining - 1, finished) }
    }

    // MARK: swift-subprocess

    /// `run(.path("/bin/true"))` awaited one after another from a task, its output and error
    /// collected through pipes (`.bytes`) or discarded (/dev/null); the median rate.
    private func subprocessRate(count: Int, pipes: Bool) -> Measured {
        Self.measure(operations: count * repetitions) { subprocessMedianRate(count: count, pipes: pipes) }
    }

    private func subprocessMedianRate(count: Int, pipes: Bool) -> Double {
        let repetitions = self.repetitions
        let result = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            let clock = ContinuousClock()
            var rates: [Double] = []
            for _ in 0..<repetitions {
                let start = clock.now
                for _ in 0..<count {
                    if pipes {
                        _ = try! await Subprocess.run(
                            .path("/bin/true"), input: .none, output: .bytes(limit: 4096), error: .bytes(limit: 4096))
                    } else {
                        _ = try! await Subprocess.run(.path("/bin/true"), input: .none, output: .discarded, error: .discarded)
                    }
                }
                rates.append(Double(count) / seconds(clock.now - start))
            }
            result.set(median(rates))
            semaphore.signal()
        }
        semaphore.wait()
        return result.get()
    }

    /// Carries the task's figure back to the waiting thread (set before the semaphore is signalled).
    private final class ResultBox: @unchecked Sendable {
        private var value = 0.0
        func set(_ value: Double) { self.value = value }
        func get() -> Double { value }
    }
}

/// A duration in seconds.
private func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}
