/// Connects once and hands back the connected protocol as a Deferred (Twisted's `ClientCreator`).
///
///     ClientCreator(reactor: reactor) { PoetryClient() }
///         .connectTCP("127.0.0.1", 10000)
///         .addCallback { client in client.ask() }
///
/// The Deferred fires with the protocol one loop pass after the connection is made (after its
/// `connectionMade`), or fails with the reason the attempt failed. Cancelling it while connecting
/// stops the attempt; cancelling it in the pass between the connection and the callback closes
/// the connection; either way it fails with ``CancelledError``.
public final class ClientCreator<Made: Protocol> {
    private let reactor: any ReactorTCP & ReactorTime
    private let makeProtocol: () -> Made

    /// A creator that connects with `reactor` and builds each protocol with `makeProtocol`.
    public init(reactor: any ReactorTCP & ReactorTime, _ makeProtocol: @escaping () -> Made) {
        self.reactor = reactor
        self.makeProtocol = makeProtocol
    }

    /// Connects to `host`:`port`; see ``ReactorTCP/connectTCP(_:_:_:timeout:bindAddress:)``.
    public func connectTCP(_ host: String, _ port: Int, timeout: Double = 30, bindAddress: IPAddress? = nil) -> Deferred<Made> {
        let factory = OneConnectionFactory(clock: reactor, makeProtocol: makeProtocol)
        let connected = Deferred<Made>(canceller: { [weak factory] _ in factory?.cancel() })
        factory.result = connected
        factory.connector = reactor.connectTCP(host, port, factory, timeout: timeout, bindAddress: bindAddress)
        return connected
    }
}

/// The factory behind one ``ClientCreator/connectTCP(_:_:timeout:bindAddress:)``.
private final class OneConnectionFactory<Made: Protocol>: ClientFactory {
    let clock: any ReactorTime
    let makeProtocol: () -> Made
    var result: Deferred<Made>?
    var connector: (any Connector)?
    var pendingCallback: DelayedCall?
    var built: Made?

    init(clock: any ReactorTime, makeProtocol: @escaping () -> Made) {
        self.clock = clock
        self.makeProtocol = makeProtocol
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        let made = makeProtocol()
        made.factory = self
        built = made
        pendingCallback = clock.callLater(0) { [weak self] in
            guard let self, let result = self.result else { return }
            self.result = nil
            self.pendingCallback = nil
            try result.callback(made)
        }
        return made
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        guard let result else { return }
        self.result = nil
        try? result.errback(reason)
    }

    /// The Deferred was cancelled before it fired.
    func cancel() {
        if let pendingCallback, pendingCallback.isActive { try? pendingCallback.cancel() }
        pendingCallback = nil
        result = nil  // the Deferred fails with CancelledError on its own
        connector?.disconnect()
    }
}
