/// How big each scenario is: the full run (a few minutes on a 2-core machine) or `--quick` (CI).
public struct SoakConfig: Sendable {
    /// Short connections in the churn scenario, and how many run at once.
    public var churnConnections: Int
    public var churnConcurrency = 32
    /// Resident memory the server may gain over the churn (after a warm-up), in KiB.
    public var churnRSSBoundKiB = 4_096
    /// Idle connections held at once, and for how long.
    public var idleConnections: Int
    public var idleSeconds: Double
    /// Clients that send and never read, and for how long they push.
    public var slowReaders = 8
    public var slowSeconds: Double
    /// Echo round trips measured before and while the slow readers push.
    public var latencySamples: Int
    /// Random-garbage connections, and healthy connections echoing alongside them.
    public var garbageRandom: Int
    public var garbageHealthy: Int
    /// Connections reset mid-read and (again) mid-write.
    public var resets: Int
    /// The descriptor limit of the exhaustion server, and the flood it gets.
    public var exhaustionLimit = 128
    public var floodConnections: Int
    public var floodHoldSeconds: Double
    /// Connections with queued writes when the server gets SIGTERM, and the one netstring each
    /// has echoed: larger than the kernel's socket buffers take, so the rest waits in Twist (the
    /// shutdown server accepts netstrings up to ``shutdownMaxLength``).
    public var shutdownConnections = 1_000
    public var shutdownMessages = 1
    public var shutdownPayload = 131_072
    public var shutdownMaxLength = 1 << 20
    /// SO_SNDBUF of the shutdown server's sockets: small, so most of each reply queues in Twist.
    public var shutdownSendBuffer = 16_384
    /// How long the queued data may take to reach the clients after SIGTERM.
    public var shutdownFlushBound = 10.0
    /// The seed of every random payload.
    public var seed: UInt64

    /// The full run, or the quick one.
    public init(quick: Bool, seed: UInt64) {
        self.seed = seed
        churnConnections = quick ? 10_000 : 100_000
        idleConnections = quick ? 1_000 : 10_000
        idleSeconds = quick ? 1 : 5
        slowSeconds = quick ? 2 : 8
        latencySamples = quick ? 300 : 2_000
        garbageRandom = quick ? 200 : 2_000
        garbageHealthy = quick ? 8 : 32
        resets = quick ? 1_000 : 5_000
        floodConnections = quick ? 1_000 : 3_000
        floodHoldSeconds = quick ? 1 : 3
    }
}
