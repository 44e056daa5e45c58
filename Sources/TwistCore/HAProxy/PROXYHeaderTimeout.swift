/// How long a connection behind `haproxy:` may take to send its whole PROXY header, and the clock
/// that times it: a connection whose header is not complete `seconds` after it was made is
/// aborted (see ``HAProxyProtocolWrapper``).
public struct PROXYHeaderTimeout {
    /// The seconds a connection has for its header (Twist's default for `haproxy:` is 10).
    public let seconds: Double
    /// Where the timers run: the reactor, or a `TestClock`/`MemoryReactor` in a test.
    public let clock: any ReactorTime

    /// A limit of `seconds` on `clock`.
    ///
    /// - Precondition: `seconds` is a positive, finite number.
    public init(seconds: Double, clock: any ReactorTime) {
        precondition(seconds > 0 && seconds.isFinite, "a PROXY header timeout must be positive seconds, got \(seconds)")
        self.seconds = seconds
        self.clock = clock
    }

    /// The default limit of the `haproxy:` description prefix, in seconds.
    public static let defaultSeconds: Double = 10
}
