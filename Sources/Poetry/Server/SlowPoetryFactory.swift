public import Twist

/// Builds a ``SlowPoetryProtocol`` for every connection: the poem, the chunk size, the delay
/// between chunks, and the clock the timers run on (the reactor, or a `TestClock` in tests).
public final class SlowPoetryFactory: ServerFactory {
    /// The poem, as bytes (UTF-8 text).
    public let poem: [UInt8]
    /// How many characters each chunk holds (the blocking server's `--num-bytes`).
    public let charactersPerChunk: Int
    /// Seconds between chunks; 0 sends a chunk on every pass of the reactor.
    public let delay: Double
    /// The clock the senders' timers run on.
    public let clock: any ReactorTime
    /// Where the per-client lines go (`Somebody at … wants poetry!`, `Sending <n> bytes`).
    public let output: PoetryOutput

    /// A factory serving `poem` in chunks of `charactersPerChunk` characters, `delay` seconds apart.
    ///
    /// - Precondition: `charactersPerChunk` is at least 1 and `delay` is zero or more.
    public init(poem: [UInt8], charactersPerChunk: Int, delay: Double, clock: any ReactorTime, output: PoetryOutput = .silent) {
        precondition(charactersPerChunk >= 1, "SlowPoetryFactory needs at least one character per chunk")
        precondition(delay >= 0 && delay.isFinite, "SlowPoetryFactory needs a finite, non-negative delay")
        self.poem = poem
        self.charactersPerChunk = charactersPerChunk
        self.delay = delay
        self.clock = clock
        self.output = output
        super.init()
    }

    /// A new protocol for each connection.
    public override func buildProtocol(address: Address) -> Protocol? {
        SlowPoetryProtocol(factory: self)
    }
}
