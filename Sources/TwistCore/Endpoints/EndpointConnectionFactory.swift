/// The client factory a client endpoint hands to the reactor in place of the application's
/// factory (Twisted's `_WrappingFactory`): it turns one connection attempt into the Deferred that
/// ``ClientEndpoint/connect(_:)`` returns.
///
/// - `startFactory`/`stopFactory` pass to the application's factory as `doStart`/`doStop`.
/// - `buildProtocol` asks the application's factory; nil fails the Deferred with ``NoProtocol``
///   and is returned, so the reactor drops the connection. Otherwise the application's protocol
///   is put inside an ``EndpointConnectionProtocol`` that connects it to the real transport and
///   then fires the Deferred with it.
/// - `clientConnectionFailed` fails the Deferred with the reactor's reason; nothing else of the
///   ``ClientFactory`` notifications reaches the application's factory.
/// - Cancelling the Deferred before it fires stops the connector and fails it with
///   ``ConnectingCancelledError`` naming the connector's destination.
///
/// Once the Deferred has fired it lets go of it and of the connector, so no cycle outlives the
/// attempt.
final class EndpointConnectionFactory: ClientFactory {
    /// The application's factory.
    let wrappedFactory: Factory

    /// The Deferred of `connect`, until it fires.
    private var result: Deferred<Protocol>?

    /// The attempt's connector, until the Deferred fires.
    private var connector: (any Connector)?

    init(wrapping wrappedFactory: Factory) {
        self.wrappedFactory = wrappedFactory
        super.init()
    }

    /// Starts the attempt with `begin` (which calls the reactor with this factory) and returns
    /// the Deferred of its outcome. A failure reported inside `begin` has already failed it.
    func connect(_ begin: (ClientFactory) -> any Connector) -> Deferred<Protocol> {
        let deferred = Deferred<Protocol>(canceller: { [weak self] cancelled in self?.cancel(cancelled) })
        result = deferred
        let started = begin(self)
        if result != nil { connector = started }
        return deferred
    }

    /// Hands the Deferred over to the protocol that was just connected; nil when it has fired
    /// already (cancelled meanwhile).
    func takeResult() -> Deferred<Protocol>? {
        defer {
            result = nil
            connector = nil
        }
        return result
    }

    private func cancel(_ cancelled: Deferred<Protocol>) {
        guard let result, result.isSame(as: cancelled), let connector else { return }
        self.result = nil
        self.connector = nil
        try? connector.stopConnecting()  // its clientConnectionFailed now finds no Deferred
        try? result.errback(ConnectingCancelledError(address: connector.destination))
    }

    override func buildProtocol(address: Address) -> Protocol? {
        guard result != nil else { return nil }
        guard let built = wrappedFactory.buildProtocol(address: address) else {
            fail(Failure(NoProtocol()))
            return nil
        }
        if built is any HalfCloseableProtocol {
            return HalfCloseableEndpointConnectionProtocol(connecting: built, for: self)
        }
        return EndpointConnectionProtocol(connecting: built, for: self)
    }

    override func startFactory() {
        wrappedFactory.doStart()
    }

    override func stopFactory() {
        wrappedFactory.doStop()
    }

    override func startedConnecting(_ connector: any Connector) {
        if result != nil { self.connector = connector }
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        fail(reason)
    }

    override func clientConnectionLost(_ connector: any Connector, reason: Failure) {}

    private func fail(_ reason: Failure) {
        guard let result = takeResult() else { return }
        try? result.errback(reason)
    }

    /// The application factory's prefix and this one's role: `EchoFactory (endpoint)`.
    override var logPrefix: String {
        "\(wrappedFactory.logPrefix) (endpoint)"
    }
}
