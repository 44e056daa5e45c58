public import Twist

/// Sends the poem a few characters at a time, on a timer (a reactor-based take on the intro's
/// blocking Part 2 server: it serves any number of clients at once).
///
/// On connect it reports `Somebody at <peer> wants poetry!`, then every `delay` seconds it sends
/// the next chunk of ``SlowPoetryFactory/charactersPerChunk`` characters (Unicode scalars, as
/// Python's text-mode reads count them; a chunk of non-ASCII text is more bytes than characters),
/// reporting `Sending <n> bytes`. After the last chunk it closes. A client that goes away mid-poem
/// stops its timer at once: ``connectionLost(reason:)`` stops the loop, so nothing more is
/// scheduled or sent, and the protocol lets go of it.
public final class SlowPoetryProtocol: Protocol {
    private let slowFactory: SlowPoetryFactory
    private var chunks: SlowPoetryChunks
    private var sender: LoopingCall?

    /// A protocol that sends the poem of `factory`, chunk by chunk on `factory`'s clock.
    public init(factory: SlowPoetryFactory) {
        slowFactory = factory
        chunks = SlowPoetryChunks(poem: factory.poem, charactersPerChunk: factory.charactersPerChunk)
        super.init()
        self.factory = factory
    }

    /// True while the timer that sends chunks is running.
    public var isSending: Bool { sender?.isRunning ?? false }

    /// Starts the timer; the first chunk goes out at once.
    public override func connectionMade() {
        if let peer = transport?.peer { slowFactory.output.out("Somebody at \(peer) wants poetry!\n") }
        let sender = LoopingCall(clock: slowFactory.clock) { self.sendNextChunk() }
        self.sender = sender
        sender.start(interval: slowFactory.delay)
    }

    /// Stops the timer, if it still runs, and drops it. While it runs, the clock's pending call keeps
    /// the loop, and through it this protocol, alive; dropping it breaks that cycle.
    public override func connectionLost(reason: Failure) {
        stopSending()
    }

    private func sendNextChunk() {
        guard let transport, !transport.isDisconnecting, let chunk = chunks.next() else {
            stopSending()
            transport?.loseConnection()
            return
        }
        slowFactory.output.out("Sending \(chunk.count) bytes\n")
        transport.write(chunk)
    }

    private func stopSending() {
        if let sender, sender.isRunning { sender.stop() }
        sender = nil
    }
}
