public import Twist

/// Downloads one poem and fires ``poem`` with it — "you make it, you fire it": the factory makes
/// the Deferred and is the only one to fire it, exactly once.
///
/// - Success: the bytes received when the connection ended.
/// - Failure: the connect failed (``ConnectionRefusedError``, ``ConnectTimeoutError``, …).
/// - Cancelling ``poem`` stops the attempt or closes the connection, and the Deferred fails with
///   `CancelledError`; whatever arrives afterwards is ignored. The poetry proxy relies on this to
///   drop an upstream download whose client went away.
public final class PoetryClientFactory: ClientFactory {
    private var connector: (any Connector)?

    /// The poem, once downloaded. Fired by this factory only.
    public private(set) lazy var poem: Deferred<[UInt8]> = Deferred { [self] _ in cancelDownload() }

    /// A factory whose ``poem`` is not fired yet; hand it to `connectTCP`.
    public override init() {
        super.init()
        _ = poem
    }

    /// A new ``PoetryClientProtocol`` for the connection.
    public override func buildProtocol(address: Address) -> Protocol? {
        PoetryClientProtocol(factory: self)
    }

    /// Remembers the connector, so that cancelling can stop it.
    public override func startedConnecting(_ connector: any Connector) {
        self.connector = connector
    }

    /// The connect failed: ``poem`` fails with the reason.
    public override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        self.connector = nil
        guard !poem.hasFired else { return }
        try? poem.errback(reason)
    }

    /// Called by the protocol when its secure connection failed: ``poem`` fails with `reason`.
    func downloadFailed(_ reason: Failure) {
        connector = nil
        guard !poem.hasFired else { return }
        try? poem.errback(reason)
    }

    /// Called by the protocol when its connection ended: ``poem`` fires with `bytes`.
    func poemReceived(_ bytes: [UInt8]) {
        connector = nil
        guard !poem.hasFired else { return }
        try? poem.callback(bytes)
    }

    private func cancelDownload() {
        let connector = self.connector
        self.connector = nil
        connector?.disconnect()
    }
}
