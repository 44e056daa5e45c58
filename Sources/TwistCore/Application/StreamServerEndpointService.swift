public import Logging

/// A service that listens on a server endpoint while it runs (Twisted's
/// `StreamServerEndpointService`, what `strports.service` makes from a `--listen` string).
///
/// Starting it listens with the factory (once: from ``privilegedStartService()`` if that runs
/// first); stopping it stops listening (or cancels a listen still under way) and its Deferred
/// fires once the port is closed, when the service is marked stopped. It can be started again.
///
/// A listen that fails while ``startService()`` runs — every endpoint Twist ships listens at once
/// — makes the start throw (as Twisted's `strports.service` arranges), so a program with a port in
/// use exits instead of running without it. A listen that fails later is logged as an error.
///
/// Confined to the reactor thread.
public final class StreamServerEndpointService: Service {
    /// Where the service listens.
    public let endpoint: any ServerEndpoint
    /// What builds each connection's protocol.
    public let factory: Factory
    /// Called with the port each time a listen succeeds (a program prints "Serving on …" here).
    private let onListening: ((any ListeningPort) -> Void)?
    private let logger: Logger
    private var state = ListenState.notListening

    /// Where the service stands with its endpoint.
    private enum ListenState {
        /// Stopped, or started with a failed listen.
        case notListening
        /// `endpoint.listen` has not fired yet.
        case waitingForPort(Deferred<any ListeningPort>)
        case listening(any ListeningPort)
        /// `stopListening` has not fired yet.
        case stopping
    }

    /// A stopped service that will listen on `endpoint` with `factory`, calling `onListening`
    /// with the port each time it starts listening.
    public init(
        endpoint: any ServerEndpoint, factory: Factory, name: String? = nil,
        logger: Logger = Logger(label: "twist.service"),
        onListening: ((any ListeningPort) -> Void)? = nil
    ) {
        self.endpoint = endpoint
        self.factory = factory
        self.onListening = onListening
        self.logger = logger
        super.init(name: name)
    }

    /// A stopped service that will listen where `description` says (such as `tcp:8080` or
    /// `unix:/run/app.sock`; see Docs/Endpoints.md) with `factory`, calling `onListening` with the
    /// port each time it starts listening.
    ///
    /// - Throws: ``EndpointDescriptionError`` when the description cannot be parsed.
    public convenience init(
        _ description: String, reactor: any EndpointReactor, factory: Factory, name: String? = nil,
        logger: Logger = Logger(label: "twist.service"),
        onListening: ((any ListeningPort) -> Void)? = nil
    ) throws(EndpointDescriptionError) {
        self.init(
            endpoint: try serverFromString(reactor, description), factory: factory, name: name,
            logger: logger, onListening: onListening
        )
    }

    /// The class, the name if any, and the endpoint, such as
    /// `StreamServerEndpointService on tcp:8080:interface=127.0.0.1`.
    public override var description: String {
        "\(super.description) on \(endpoint)"
    }

    /// The listening port while the service listens, with its real address (port 0 resolved).
    public var port: (any ListeningPort)? {
        if case .listening(let port) = state { return port }
        return nil
    }

    /// Starts listening, so a program that drops privileges can open a port below 1024 first.
    ///
    /// - Throws: why the endpoint could not listen, when it says so at once.
    public override func privilegedStartService() throws {
        try super.privilegedStartService()
        try listenIfNotListening()
    }

    /// Marks the service running and listens, unless ``privilegedStartService()`` already did.
    ///
    /// - Throws: why the endpoint could not listen, when it says so at once; the service is then
    ///   not running.
    public override func startService() throws {
        try super.startService()
        do {
            try listenIfNotListening()
        } catch {
            isRunning = false
            throw error
        }
    }

    /// Stops listening, or cancels a listen still under way.
    ///
    /// - Returns: nil when the service was not listening; otherwise a Deferred that fires once
    ///   the port is closed (the service is marked stopped then).
    public override func stopService() -> Deferred<Void>? {
        switch state {
        case .notListening, .stopping:
            isRunning = false
            return nil
        case .waitingForPort(let listening):
            state = .notListening
            listening.cancel()
            isRunning = false
            return succeed(())
        case .listening(let port):
            state = .stopping
            return port.stopListening().addBoth { [self] result in
                state = .notListening
                isRunning = false
                return try result.get()
            }
        }
    }

    private func listenIfNotListening() throws {
        guard case .notListening = state else { return }
        var starting = true
        var failedAtOnce: Failure?
        let listening = endpoint.listen(factory)
        state = .waitingForPort(listening)
        _ = listening.addBoth { [self] result in
            guard case .waitingForPort(let pending) = state, pending.isSame(as: listening) else {
                // A listen stopService cancelled: its CancelledError is expected, and a port that
                // arrived anyway (an endpoint that ignores cancellation) is closed.
                if case .success(let port) = result { port.stopListening() }
                return
            }
            switch result {
            case .success(let port):
                state = .listening(port)
                onListening?(port)
            case .failure(let failure):
                state = .notListening
                if starting {
                    failedAtOnce = failure
                } else {
                    logger.error("\(self) could not listen on \(endpoint): \(failure.error)")
                }
            }
        }
        starting = false
        if let failedAtOnce { throw failedAtOnce.error }
    }
}
