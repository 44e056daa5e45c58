public import Logging
public import Twist

/// Builds a ``PoetryProxyProtocol`` for every client; each asks ``source`` for the poem.
public final class PoetryProxyFactory: ServerFactory {
    /// Where the poem comes from: usually a ``PoetryProxyService``'s `poem()`. It may return a
    /// Deferred or throw; the protocol calls it through `maybeDeferred`, so a throw becomes a
    /// failure like any other.
    public let source: () throws -> Deferred<[UInt8]>
    /// Where `Canceling poem download.` goes.
    public let output: PoetryOutput
    /// Where failed downloads are logged, one line each.
    public let log: Logger

    /// A factory serving the poem of `service`.
    public convenience init(service: PoetryProxyService, output: PoetryOutput = .silent, logger: Logger = Logger(label: "poetry.proxy")) {
        self.init(source: service.poem, output: output, logger: logger)
    }

    /// A factory serving whatever `source` produces.
    public init(source: @escaping () throws -> Deferred<[UInt8]>, output: PoetryOutput = .silent, logger: Logger = Logger(label: "poetry.proxy")) {
        self.source = source
        self.output = output
        log = logger
        super.init()
    }

    /// A new ``PoetryProxyProtocol`` for each client.
    public override func buildProtocol(address: Address) -> Protocol? {
        PoetryProxyProtocol(factory: self)
    }
}
