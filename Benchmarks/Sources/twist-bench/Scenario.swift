/// One workload of the side-by-side run: what twist-loadgen is told, and which of its figures
/// the table reports.
struct Scenario: Sendable {
    enum Kind: Sendable {
        /// Echo traffic for a fixed time (`--mode echo`).
        case echo
        /// Connect, one message, close, in concurrent loops (`--mode connrate`).
        case connectionRate
        /// Connections held idle while the server's memory is read (`--mode idle`).
        case idle
        /// Datagram echo over UDP for a fixed time (`--mode udp`); each peer is started with `--udp`.
        case udp
    }

    let name: String
    let title: String
    let kind: Kind
    /// "netstring" or "raw": also the mode each peer is started in.
    let framing: String
    /// Load generator arguments beyond port, framing, durations and time-out.
    let load: [String]
    /// The headline figure: a key of the load generator's JSON line (or "bytes_per_connection").
    let metric: String
    let unit: String
    let higherIsBetter: Bool
    /// What one "operation" is, for the server's CPU time per operation.
    let operation: String
    /// Whether this scenario also runs over UNIX sockets (`--transport unix`): small and bulk.
    var overUNIX = false
    /// A TLS scenario: the server's key, each peer serves TLS with it (``TLSCertificates``) and the
    /// load generator runs with `--tls`; nil for plain TCP.
    var tls: TLSCertificates.KeyKind?
    /// The transport of this instance of the scenario; every stream scenario is made for TCP, and
    /// ``over(_:)`` makes its UNIX twin (and marks the UDP scenarios as UDP).
    private(set) var transport = Transport.tcp

    /// The name in tables and logs: the scenario's own (as in the recorded runs), with "/unix"
    /// added for the UNIX twin of a TCP scenario ("small/unix").
    var label: String { transport == .unix ? "\(name)/unix" : name }

    /// This scenario over `transport` (a UDP scenario stays over UDP).
    func over(_ transport: Transport) -> Scenario {
        var copy = self
        copy.transport = kind == .udp ? .udp : transport
        return copy
    }

    /// The scenarios of issue 7, the TLS ones of issue 16, then the UDP ones of issue 17, in the
    /// order they run.
    static func all(quick: Bool) -> [Scenario] {
        [
            Scenario(
                name: "latency", title: "latency: 1 conn × 1 in flight × 32 B", kind: .echo, framing: "netstring",
                load: ["--conns", "1", "--inflight", "1", "--size", "32"],
                metric: "p99_us", unit: "µs p99", higherIsBetter: false, operation: "message"),
            Scenario(
                name: "small", title: "small messages: 64 conns × 16 in flight × 32 B", kind: .echo, framing: "netstring",
                load: ["--conns", "64", "--inflight", "16", "--size", "32"],
                metric: "messages_per_s", unit: "msg/s", higherIsBetter: true, operation: "message", overUNIX: true),
            Scenario(
                name: "bulk", title: "bulk: 16 conns × 4 in flight × 16 KiB", kind: .echo, framing: "netstring",
                load: ["--conns", "16", "--inflight", "4", "--size", "16384"],
                metric: "bytes_per_s", unit: "B/s", higherIsBetter: true, operation: "message", overUNIX: true),
            Scenario(
                name: "connrate", title: "connection rate: 8 loops of connect, 32 B echo, close", kind: .connectionRate,
                framing: "netstring", load: ["--concurrency", "8", "--size", "32"],
                metric: "connections_per_s", unit: "conn/s", higherIsBetter: true, operation: "connection"),
            Scenario(
                name: "idle", title: "idle memory: \(quick ? "1,000" : "10,000") idle connections", kind: .idle,
                framing: "netstring", load: ["--conns", quick ? "1000" : "10000", "--size", "32"],
                metric: "bytes_per_connection", unit: "B RSS/conn", higherIsBetter: false, operation: "connection"),
            Scenario(
                name: "throughput", title: "tcp_throughput twin: 1 conn, 16 KiB writes, raw echo", kind: .echo,
                framing: "raw", load: ["--conns", "1", "--inflight", "16", "--size", "16384"],
                metric: "bytes_per_s", unit: "B/s echoed", higherIsBetter: true, operation: "16 KiB"),
        ] + tlsScenarios + udpScenarios
    }

    /// TLS bulk (as bulk) and full TLS 1.3 handshakes (as connrate, no resumption), whose server CPU
    /// per handshake is the figure to read. The load generator's TLS is in twist-loadgen's tls.h.
    static let tlsScenarios = [
        Scenario(
            name: "tls-bulk", title: "TLS bulk: 16 conns × 4 in flight × 16 KiB (ECDSA P-256)", kind: .echo,
            framing: "netstring", load: ["--conns", "16", "--inflight", "4", "--size", "16384", "--tls"],
            metric: "bytes_per_s", unit: "B/s", higherIsBetter: true, operation: "message", tls: .ecdsaP256),
        Scenario(
            name: "tls-handshake-ecdsa", title: "TLS handshakes, ECDSA P-256: 8 loops of connect, handshake, 32 B echo, close",
            kind: .connectionRate, framing: "netstring", load: ["--concurrency", "8", "--size", "32", "--tls"],
            metric: "connections_per_s", unit: "conn/s", higherIsBetter: true, operation: "handshake", tls: .ecdsaP256),
        Scenario(
            name: "tls-handshake-rsa", title: "TLS handshakes, RSA-2048: 8 loops of connect, handshake, 32 B echo, close",
            kind: .connectionRate, framing: "netstring", load: ["--concurrency", "8", "--size", "32", "--tls"],
            metric: "connections_per_s", unit: "conn/s", higherIsBetter: true, operation: "handshake", tls: .rsa2048),
    ]

    /// UDP echo (issue 17): 64 client sockets with 64 B datagrams, 2 in flight on each, and with
    /// 1,200 B datagrams, 1 in flight on each, as two rows: what is in flight fits the server
    /// socket's default receive buffer (212,992 bytes of kernel memory; a 1,200 B datagram takes
    /// about 2.3 KiB of it), so a loss means the server fell behind, not that the load overflowed
    /// every peer alike. A datagram not echoed within 0.25 s counts as lost (each sample's `lost`)
    /// and its slot sends the next one.
    static let udpScenarios = [(64, "64 B", 2), (1200, "1,200 B", 1)].map { size, label, inFlight in
        Scenario(
            name: "udp-\(size)", title: "UDP echo: 64 sockets × \(inFlight) in flight × \(label) datagrams", kind: .udp,
            framing: "raw",
            load: ["--conns", "64", "--inflight", "\(inFlight)", "--size", "\(size)", "--loss-timeout", "0.25"],
            metric: "datagrams_per_s", unit: "datagrams/s", higherIsBetter: true, operation: "datagram"
        ).over(.udp)
    }
}
