import ArgumentParser
import Foundation
import Glibc

/// The side-by-side runner of issue 7: Twist, SwiftNIO, a raw C libev server and Python Twisted,
/// each an echo server on 127.0.0.1, driven in turn by twist-loadgen.
@main
struct TwistBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twist-bench",
        abstract: "Runs the echo-server scenarios against every peer and prints a table of medians.",
        discussion: """
            Each run of each scenario starts a fresh server (on CPU 0 with taskset when there are two \
            CPUs) and twist-loadgen (on CPU 1), reads the server's CPU time and resident memory from \
            /proc, and stops the server by pid. Runs are interleaved across peers. Writes results.json \
            and ratios.svg to --out. With --transport unix (or both) the small and bulk scenarios also \
            run over UNIX sockets in a temporary directory, as their own rows ("small/unix") with \
            ratios against the raw C peer over the same transport. The TLS scenarios (tls-bulk, \
            tls-handshake-ecdsa, tls-handshake-rsa; TCP only) make their certificates with openssl req \
            in a temporary directory and start each peer with --tls-cert and --tls-key. The UDP \
            scenarios (udp-64, udp-1200) start each peer with --udp and run twist-loadgen --mode udp; \
            their rows add the datagrams lost.
            """)

    @Flag(help: "A smoke check: short durations, one run, 1,000 idle connections.")
    var quick = false

    @Option(
        help: """
            Run only this scenario (repeatable): latency, small, bulk, connrate, idle, throughput, \
            tls-bulk, tls-handshake-ecdsa, tls-handshake-rsa, udp-64, udp-1200.
            """)
    var scenario: [String] = []

    @Option(help: "tcp (default), unix (small and bulk only) or both.")
    var transport = "tcp"

    @Option(help: "Run only this peer (repeatable): twist, swiftnio, libev-c, twisted.")
    var peer: [String] = []

    @Option(help: "Runs of each scenario per peer (default 3; 1 with --quick).")
    var runs: Int?

    @Option(help: "Measured seconds per run (default 3; 1 with --quick).")
    var duration: Double?

    @Option(help: "Warm-up seconds before measuring (default 1; 0.3 with --quick).")
    var warmup: Double?

    @Option(help: "Where results.json, ratios.svg and the logs go (default Benchmarks/.build/twist-bench).")
    var out: String?

    @Option(help: "The Python that runs the Twisted peer; the peer is skipped when it cannot import twisted.")
    var python = "python3"

    @Flag(help: "Do not run swift build for the peers first.")
    var noBuild = false

    @Flag(help: "Do not pin server and load generator to different CPUs.")
    var noPin = false

    @Option(help: "Reactors of the Twist peer (default 1; more serve one port from a ReactorGroup).")
    var reactors = 1

    @Option(help: "How the Twist peer's group shares its port: handoff (default) or reuseport.")
    var strategy = "handoff"

    @Option(help: "Event-loop threads of the SwiftNIO peer (default 1).")
    var threads = 1

    func validate() throws {
        let known = Set(Scenario.all(quick: false).map(\.name))
        if let unknown = scenario.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown scenario '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
        }
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        if reactors < 1 || threads < 1 { throw ValidationError("--reactors and --threads must be at least 1") }
        guard ["handoff", "reuseport"].contains(strategy) else {
            throw ValidationError("--strategy must be handoff or reuseport")
        }
        guard ["tcp", "unix", "both"].contains(transport) else {
            throw ValidationError("--transport must be tcp, unix or both")
        }
        if transport == "unix", !scenario.isEmpty,
            !Scenario.all(quick: false).contains(where: { scenario.contains($0.name) && $0.overUNIX })
        {
            throw ValidationError("over UNIX sockets only these scenarios run: small, bulk")
        }
    }

    /// The transports asked for, TCP first.
    var transports: [Transport] { transport == "both" ? [.tcp, .unix] : [transport == "unix" ? .unix : .tcp] }

    func run() throws {
        let package = Self.packageDirectory
        let binaries = Self.executableDirectory
        let outDirectory = out ?? "\(package)/.build/twist-bench"
        try FileManager.default.createDirectory(atPath: "\(outDirectory)/logs", withIntermediateDirectories: true)
        if !noBuild { try Self.buildPeers(package: package, log: "\(outDirectory)/logs/build.log") }

        let twisted = TwistedPython.locate(python)
        if twisted == nil {
            note("'\(python)' cannot import twisted; skipping the Twisted peer (python3 -m pip install twisted)")
        }
        let allPeers = Peer.all(
            binaries: binaries, twistedScript: "\(package)/twisted/echo_peer.py", python: twisted?.executable,
            twistReactors: reactors, twistStrategy: strategy, nioThreads: threads)
        let peers = peer.isEmpty ? allPeers : allPeers.filter { peer.contains($0.name) }
        let chosen = Scenario.all(quick: quick).filter { scenario.isEmpty || scenario.contains($0.name) }
        // Every chosen scenario over each transport; over UNIX only those that run there.
        let scenarios = transports.flatMap { transport in
            chosen.filter { transport == .tcp || $0.overUNIX }.map { $0.over(transport) }
        }
        let notOverUNIX = transports.contains(.unix) ? chosen.filter { !$0.overUNIX }.map(\.name) : []
        if !notOverUNIX.isEmpty {
            note("not over UNIX sockets (only small and bulk are): \(notOverUNIX.joined(separator: ", "))")
        }
        // The TLS scenarios' certificates, made fresh in a temporary directory removed at the end.
        let certificateDirectory = try scenarios.contains { $0.tls != nil } ? Self.makeTemporaryDirectory() : nil
        defer { if let certificateDirectory { try? FileManager.default.removeItem(atPath: certificateDirectory) } }
        // The UNIX sockets live in a fresh temporary directory, removed however the run ends.
        let socketDirectory = try transports.contains(.unix) ? Self.makeTemporaryDirectory() : nil
        defer { if let socketDirectory { try? FileManager.default.removeItem(atPath: socketDirectory) } }
        let pin = !noPin && FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset")
            && sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2
        if !pin { note("not pinning: taskset or a second CPU is missing (or --no-pin)") }
        var measurement = Measurement(
            loadgen: "\(binaries)/twist-loadgen", pin: pin, logDirectory: "\(outDirectory)/logs",
            socketDirectory: socketDirectory ?? "",
            warmup: warmup ?? (quick ? 0.3 : 1), duration: duration ?? (quick ? 1 : 3), hold: quick ? 0.5 : 1)
        if let certificateDirectory {
            measurement.certificates = try TLSCertificates.make(in: certificateDirectory, log: "\(outDirectory)/logs/openssl.log")
        }
        let runCount = runs ?? (quick ? 1 : 3)

        let machine = Machine.describe()
        let started = Clock.now
        var samples: [Sample] = []
        let withoutTLS = peers.filter { !$0.servesTLS }.map(\.name)
        if !withoutTLS.isEmpty, scenarios.contains(where: { $0.tls != nil }) {
            note("skipping in the TLS scenarios (they cannot serve TLS): \(withoutTLS.joined(separator: ", "))")
        }
        let total = runCount * scenarios.reduce(0) { $0 + ($1.tls == nil ? peers.count : peers.count - withoutTLS.count) }
        for run in 1...runCount {
            for scenario in scenarios {
                // Rotate the order each run, so no peer always follows the same neighbour.
                let order = peers.indices.map { peers[($0 + run - 1) % peers.count] }
                for peer in order where scenario.tls == nil || peer.servesTLS {
                    let sample = try measurement.run(scenario, on: peer, run: run)
                    samples.append(sample)
                    note("[\(samples.count)/\(total)] run \(run) \(scenario.label) \(peer.name): \(MarkdownTable.number(sample.value)) \(scenario.unit)")
                }
            }
        }
        let elapsed = Clock.now - started
        let summary = Summary.make(samples, scenarios: scenarios, peers: peers)

        let table = MarkdownTable.render(summary, scenarios: scenarios)
        print(table)
        print()
        if !notOverUNIX.isEmpty {
            print("Over UNIX sockets only small and bulk run; skipped there: \(notOverUNIX.joined(separator: ", ")).")
        }
        if let tlsNote = TLSNote.render(samples, peers: peers) { print(tlsNote) }
        let loadAtEnd = Machine.loadAverageNow()
        print(
            "Medians of \(runCount) run(s); \(machine.summary); load average \(String(format: "%.2f", loadAtEnd)) at end; "
                + "\(String(format: "%.0f", elapsed)) s in all.")
        let report = Report(
            command: CommandLine.arguments.dropFirst().joined(separator: " "), machine: machine,
            twisted: twisted?.version, pinned: pin, runs: runCount, warmupSeconds: measurement.warmup,
            durationSeconds: measurement.duration, elapsedSeconds: elapsed, loadAverageAtEnd: loadAtEnd,
            scenarios: scenarios.map {
                ["name": $0.name, "transport": $0.transport.rawValue, "title": $0.title, "framing": $0.framing, "unit": $0.unit]
            },
            summary: summary, samples: samples)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: "\(outDirectory)/results.json"))
        try RatioChart.render(summary, scenarios: scenarios, peers: peers)
            .write(toFile: "\(outDirectory)/ratios.svg", atomically: true, encoding: .utf8)
        print("Wrote \(outDirectory)/results.json and \(outDirectory)/ratios.svg")
    }

    /// The Benchmarks package, found from this source file.
    static var packageDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path
    }

    /// Where this executable (and so every peer built with it) lives.
    static var executableDirectory: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// A new private directory under $TMPDIR (or /tmp), short enough for UNIX socket paths.
    static func makeTemporaryDirectory() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/twist-bench-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Child.Failure(description: "mkdtemp in \(base): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// Builds (or confirms up to date) every peer and the load generator in release mode.
    static func buildPeers(package: String, log: String) throws {
        for product in ["twist-loadgen", "libev-echo-peer", "twist-echo-peer", "nio-echo-peer"] {
            note("swift build -c release --product \(product)")
            let build = try Child(["swift", "build", "-c", "release", "--package-path", package, "--product", product], errorLog: log)
            while let line = build.readLine(timeout: 1_800) {
                if line.contains("error:") || line.contains("warning:") { note(line) }
            }
            guard build.wait(timeout: 60) == 0 else {
                throw Child.Failure(description: "building \(product) failed (see \(log))")
            }
        }
    }
}

/// A progress line on standard error.
func note(_ text: String) {
    FileHandle.standardError.write(Data("twist-bench: \(text)\n".utf8))
}
