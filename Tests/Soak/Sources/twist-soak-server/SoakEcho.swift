import Twist

/// The netstring echo: sends every netstring back as it came, and applies back pressure.
///
/// It registers itself with its transport as a streaming producer: when more than the transport's
/// high-water mark is queued (a peer that does not read), the transport pauses it and it pauses
/// its transport's reading; below the low-water mark both resume. So the bytes queued for one
/// peer stay bounded whatever that peer does. Counts itself in ``ServerStats``.
final class SoakEcho: NetstringReceiver, PushProducer {
    private let stats: ServerStats
    private var peerPort = 0
    /// Payload bytes received and frame bytes written on this connection.
    private(set) var bytesIn = 0
    private(set) var bytesOut = 0
    /// How often reading was paused on this connection.
    private(set) var pauses = 0
    private var producing = false

    /// An echo protocol counted in `stats`, accepting payloads up to `maxLength` bytes.
    init(stats: ServerStats, maxLength: Int) {
        self.stats = stats
        super.init()
        self.maxLength = maxLength
        stats.echoObjects += 1
    }

    deinit {
        stats.echoObjects -= 1
    }

    override func connectionMade() {
        guard let transport else { return }
        stats.echoOpen += 1
        stats.echoTotal += 1
        stats.track(transport: transport)
        peerPort = transport.peer.port ?? 0
        stats.echoByPeerPort[peerPort] = self
        producing = true
        try? transport.registerProducer(.push(self))
    }

    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        bytesIn += string.count
        stats.bytesIn += string.count
        let before = string.count
        sendString(string)
        let frame = String(before).utf8.count + before + 2
        bytesOut += frame
        stats.bytesOut += frame
    }

    /// Malformed input: the receiver closes with `loseConnection()`, which does not wait for this
    /// streaming producer (it hears `stopProducing()` when the connection goes).
    override func netstringParseFailed(_ error: NetstringParseError) {
        producing = false
    }

    override func connectionLost(reason: Failure) {
        stats.echoOpen -= 1
        if stats.echoByPeerPort[peerPort] === self { stats.echoByPeerPort[peerPort] = nil }
    }

    /// Closes gracefully for a shutdown: `loseConnection()` flushes what is queued and closes (a
    /// registered streaming producer does not hold it).
    func drainAndClose() {
        guard let transport, !transport.isDisconnecting else { return }
        producing = false
        transport.loseConnection()
    }

    // MARK: PushProducer: the transport's write queue drives this connection's reading

    func pauseProducing() {
        pauses += 1
        stats.pauses += 1
        transport?.pauseProducing()
    }

    func resumeProducing() {
        guard producing else { return }
        transport?.resumeProducing()
    }

    func stopProducing() {
        producing = false
    }
}

/// Builds a ``SoakEcho`` per connection.
final class SoakEchoFactory: ServerFactory {
    private let stats: ServerStats
    private let maxLength: Int

    /// A factory whose protocols count themselves in `stats`.
    init(stats: ServerStats, maxLength: Int) {
        self.stats = stats
        self.maxLength = maxLength
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        let echo = SoakEcho(stats: stats, maxLength: maxLength)
        echo.factory = self
        return echo
    }
}
