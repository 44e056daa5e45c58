/// Serves one protocol over the process's standard input and output (Twisted's
/// `StandardIOEndpoint`); the description string `stdio:` makes one.
///
/// **What `listen` promises.** It asks the factory for one protocol (`buildProtocol` with the
/// unnamed UNIX address; `doStart`/`doStop` are not called, as in Twisted), connects it to the
/// reactor's standard I/O transport, and fires with a ``ListeningPort`` whose `stopListening()`
/// closes that connection (`loseConnection`). A factory that returns nil fails the Deferred with
/// ``NoProtocol``; a descriptor that is not open, with the reactor's ``CannotListenError``; a
/// second `listen`, with ``AlreadyListened`` (there is one standard input).
public final class StandardIOServerEndpoint: ServerEndpoint {
    /// The reactor that runs the transport.
    public let reactor: any ReactorStandardIO
    /// The descriptor read (0 unless a test says otherwise).
    let input: Int32
    /// The descriptor written (1 unless a test says otherwise).
    let output: Int32
    /// Set by the first `listen`.
    private var listened = false

    /// An endpoint over the process's standard input (0) and output (1). Nothing happens until
    /// ``listen(_:)``.
    public convenience init(reactor: any ReactorStandardIO) {
        self.init(reactor: reactor, input: 0, output: 1)
    }

    /// An endpoint over `input` and `output` instead (for tests, over pipes).
    init(reactor: any ReactorStandardIO, input: Int32, output: Int32) {
        self.reactor = reactor
        self.input = input
        self.output = output
    }

    /// Builds the protocol and connects it to standard I/O; see the type's summary.
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        guard !listened else { return fail(AlreadyListened("stdio: standard I/O is served already")) }
        listened = true
        guard let built = factory.buildProtocol(address: .unix(.unnamed)) else { return fail(NoProtocol()) }
        do {
            let transport = try reactor.connectStandardIO(built, input: input, output: output)
            return succeed(StandardIOPort(transport: transport))
        } catch {
            return fail(error)
        }
    }

    /// `stdio:`.
    public var description: String { "stdio:" }
}

/// The "port" of a standard I/O endpoint: its one connection.
private final class StandardIOPort: ListeningPort {
    private weak var transport: (any Transport)?

    init(transport: any Transport) {
        self.transport = transport
    }

    var address: Address { .unix(.unnamed) }

    @discardableResult
    func stopListening() -> Deferred<Void> {
        transport?.loseConnection()
        transport = nil
        return succeed(())
    }
}
