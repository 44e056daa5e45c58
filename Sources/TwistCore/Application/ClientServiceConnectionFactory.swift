/// The factory a ``ClientService`` gives its endpoint in place of the application's factory
/// (Twisted's `_DisconnectFactory`): each protocol the application's factory builds is put inside
/// a ``ClientServiceConnection`` that reports the connection's end to the service.
///
/// - `buildProtocol` asks the application's factory; nil is returned as it is, so the endpoint
///   fails the attempt with ``NoProtocol`` and the service counts a failed attempt.
/// - `startFactory`/`stopFactory` pass to the application's factory as `doStart`/`doStop`.
/// - The log prefix is the application factory's.
final class ClientServiceConnectionFactory: Factory {
    /// The application's factory.
    let applicationFactory: Factory

    /// What each connection built here tells the service.
    private let observer: ClientServiceConnectionObserver

    init(wrapping applicationFactory: Factory, observer: ClientServiceConnectionObserver) {
        self.applicationFactory = applicationFactory
        self.observer = observer
        super.init()
        noisy = false  // the application's factory logs its own start and stop
    }

    override func buildProtocol(address: Address) -> Protocol? {
        guard let built = applicationFactory.buildProtocol(address: address) else { return nil }
        if built is any HalfCloseableProtocol {
            return HalfCloseableClientServiceConnection(carrying: built, observer: observer)
        }
        return ClientServiceConnection(carrying: built, observer: observer)
    }

    override func startFactory() {
        applicationFactory.doStart()
    }

    override func stopFactory() {
        applicationFactory.doStop()
    }

    override var logPrefix: String {
        applicationFactory.logPrefix
    }
}
