public import Twist

/// The proxy's side of one client connection: asks its factory's source for the poem, writes it
/// and closes. When the poem cannot be had, closes with nothing written and logs one line. When
/// the client goes away before the poem arrives, cancels the download (Part 19), which closes the
/// upstream connection, and reports `Canceling poem download.`.
public final class PoetryProxyProtocol: Protocol {
    private let proxyFactory: PoetryProxyFactory
    private var download: Deferred<Void>?

    /// A protocol that serves the poem of `factory`'s source.
    public init(factory: PoetryProxyFactory) {
        proxyFactory = factory
        super.init()
        self.factory = factory
    }

    /// Asks for the poem; a cached one is written before this returns.
    public override func connectionMade() {
        let pending = maybeDeferred { try proxyFactory.source() }
            .addCallbacks({ [self] poem in
                transport?.write(poem[...])
                transport?.loseConnection()
            }, { [self] failure in
                if failure.check(CancelledError.self) == nil {
                    proxyFactory.log.warning("no poem for \(transport.map { "\($0.peer)" } ?? "?"): \(failure.error)")
                }
                transport?.loseConnection()
            })
        if !pending.hasFired { download = pending }
    }

    /// A client that leaves early cancels its download.
    public override func connectionLost(reason: Failure) {
        guard let download else { return }
        self.download = nil
        if !download.hasFired {
            proxyFactory.output.out("Canceling poem download.\n")
            download.cancel()
        }
    }
}
