public import Logging

/// A service that keeps one client connection up while it runs (Twisted's `ClientService`): it
/// connects when started, and whenever an attempt fails or the connection is lost it waits as
/// its retry policy says and connects again, until it is stopped.
///
/// ```swift
/// let client = ClientService(endpoint: endpoint, factory: Factory { ChatClient() }, clock: reactor)
/// try client.startService()
/// let chat = try await client.whenConnected() as! ChatClient
/// ```
///
/// **Retrying.** Each failed attempt — the endpoint's Deferred fails, the factory builds no
/// protocol (``NoProtocol``), `prepareConnection` fails — and each lost connection adds one to
/// the count of consecutive failures, and the next attempt starts `retryPolicy(count)` seconds
/// later on `clock` (``backoffPolicy(initialDelay:maxDelay:factor:jitter:)`` by default: 1.5 s,
/// 2.25 s, … up to 60 s, plus up to 1 s of jitter). A connection (once prepared) sets the count
/// back to zero, so the retry after losing it waits `retryPolicy(1)`.
///
/// **Stopping.** ``stopService()`` ends whatever is under way: a scheduled retry is cancelled, an
/// attempt in progress is cancelled, a connection is closed with `loseConnection()`. Its Deferred
/// fires once that is over — at once when there was nothing to end — and every stop called
/// before then gets a Deferred that fires at the same moment. Starting again while the old
/// connection is still closing connects once it has closed.
///
/// **Preparing.** `prepareConnection`, when given, runs once per new connection, after the
/// application protocol's `connectionMade`; ``whenConnected(failAfterFailures:)`` waits for the
/// Deferred it returns (nil: ready at once), whose value is ignored. If it throws or its Deferred
/// fails, the connection is closed and counted as a failed attempt.
///
/// **The factory** sees `doStart`/`doStop` as the endpoint gives them, and its protocols get the
/// real transport and every delivery (half-close and passed descriptors included, when the
/// protocol takes them): the service watches each connection through a small proxy that the
/// application never sees.
///
/// Differences from Twisted: a `prepareConnection` failure closes the connection it rejects
/// (Twisted leaves it open); ``whenConnected(failAfterFailures:)`` waiters are failed when
/// ``stopService()`` is called rather than when the stop completes, so a service that is
/// stopping answers like a stopped one; the failure count restarts at zero at each start.
///
/// Confined to the clock's (the reactor's) thread.
public final class ClientService: Service {
    /// Where the service connects.
    public let endpoint: any ClientEndpoint
    /// What builds the application's protocol for each connection.
    public let factory: Factory
    /// How many attempts have failed (or connections been lost) since the last connection was
    /// made, or since the service was started.
    public private(set) var failedAttempts = 0

    private let retryPolicy: RetryPolicy
    private let clock: any ReactorTime
    private let prepareConnection: ((Protocol) throws -> Deferred<Void>?)?
    private let logger: Logger

    /// What the endpoint builds from: the application's factory inside a proxy that reports lost
    /// connections back here.
    private lazy var connectionFactory = ClientServiceConnectionFactory(
        wrapping: factory,
        observer: ClientServiceConnectionObserver(
            made: { [weak self] connection in self?.connectionMade(connection) },
            lost: { [weak self] connection, reason in self?.connectionEnded(connection, reason: reason) }
        )
    )

    /// Where the service stands with its connection.
    var state = ConnectionState.stopped

    /// The pending ``whenConnected(failAfterFailures:)`` Deferreds, oldest first.
    var waiters: [ConnectionWaiter] = []

    /// A stopped service that will keep a connection to `endpoint` with protocols from `factory`.
    ///
    /// - Parameters:
    ///   - retryPolicy: the delay before the next attempt, given the number of consecutive
    ///     failures (1 for the first retry). A negative or NaN delay counts as 0.
    ///   - clock: where retries are scheduled: the reactor, or a `TestClock` in tests.
    ///   - prepareConnection: runs once per new connection after `connectionMade`, with the
    ///     application's protocol; ``whenConnected(failAfterFailures:)`` waits for its Deferred.
    ///   - logger: where a duplicate start, each retry and each lost connection are logged.
    public init(
        endpoint: any ClientEndpoint,
        factory: Factory,
        retryPolicy: @escaping RetryPolicy = backoffPolicy(),
        clock: any ReactorTime,
        prepareConnection: ((Protocol) throws -> Deferred<Void>?)? = nil,
        name: String? = nil,
        logger: Logger = Logger(label: "twist.service")
    ) {
        self.endpoint = endpoint
        self.factory = factory
        self.retryPolicy = retryPolicy
        self.clock = clock
        self.prepareConnection = prepareConnection
        self.logger = logger
        super.init(name: name)
    }

    /// Marks the service running and connects at once — or, if the previous stop is still
    /// closing the old connection, once it has closed. A second start while running logs
    /// "duplicate start" and does nothing.
    public override func startService() throws {
        guard !isRunning else {
            logger.warning("\(self): duplicate start ignored, the service is already running")
            return
        }
        try super.startService()
        failedAttempts = 0
        switch state {
        case .stopped:
            connect()
        case .disconnecting(let ending, let stopWaiters):
            state = .restarting(ending, stopWaiters: stopWaiters)
        case .connecting, .preparing, .connected, .waiting, .restarting:
            assertionFailure("\(self) was not running but its connection state is \(state)")
        }
    }

    /// Marks the service stopped, fails every pending ``whenConnected(failAfterFailures:)``
    /// Deferred with ``CancelledError``, and ends what is under way.
    ///
    /// - Returns: a Deferred that has fired already when the service was stopped or waiting to
    ///   retry (the retry is cancelled); otherwise one that fires once the attempt in progress has
    ///   been cancelled or the connection has been lost. Each stop while the service is still
    ///   disconnecting gets its own Deferred, fired at that same moment.
    public override func stopService() -> Deferred<Void>? {
        _ = super.stopService()
        failWaiters(with: CancelledError())
        switch state {
        case .stopped:
            return succeed(())
        case .waiting(let retry):
            state = .stopped
            if retry.isActive { try? retry.cancel() }
            return succeed(())
        case .connecting(let attempt):
            let stopped = Deferred<Void>()
            state = .disconnecting(.attempt(attempt), stopWaiters: [stopped])
            attempt?.cancel()
            return stopped
        case .preparing(let connection, let prepared):
            let stopped = Deferred<Void>()
            state = .disconnecting(.connection(connection), stopWaiters: [stopped])
            prepared?.cancel()
            connection.transport?.loseConnection()
            return stopped
        case .connected(let connection):
            let stopped = Deferred<Void>()
            state = .disconnecting(.connection(connection), stopWaiters: [stopped])
            connection.transport?.loseConnection()
            return stopped
        case .disconnecting(let ending, let stopWaiters), .restarting(let ending, let stopWaiters):
            let stopped = Deferred<Void>()
            state = .disconnecting(ending, stopWaiters: stopWaiters + [stopped])
            return stopped
        }
    }

    // MARK: Connecting

    /// Starts an attempt with the endpoint.
    private func connect() {
        logger.debug("\(self): connecting to \(endpoint)")
        state = .connecting(nil)
        let attempt = endpoint.connect(connectionFactory)
        // endpoint.connect may have called back into the service (a protocol's connectionMade
        // that stops it): record the attempt where the state now expects it.
        switch state {
        case .connecting(nil):
            state = .connecting(attempt)
        case .disconnecting(.attempt(nil), let stopWaiters):
            state = .disconnecting(.attempt(attempt), stopWaiters: stopWaiters)
            attempt.cancel()
        case .restarting(.attempt(nil), let stopWaiters):
            state = .restarting(.attempt(attempt), stopWaiters: stopWaiters)
            attempt.cancel()
        default:
            attempt.cancel()
        }
        _ = attempt.addBoth { [weak self] result in
            self?.attemptEnded(attempt, result)
        }
    }

    /// The endpoint's Deferred for `attempt` fired.
    private func attemptEnded(_ attempt: Deferred<Protocol>, _ result: Result<Protocol, Failure>) {
        switch (state, result) {
        case (.connecting(let current?), .success(let built)) where current.isSame(as: attempt):
            guard let connection = built as? ClientServiceConnection else {
                preconditionFailure("\(endpoint) fired with a protocol its factory did not build: \(built)")
            }
            prepare(connection)
        case (.connecting(let current?), .failure(let failure)) where current.isSame(as: attempt):
            retryAfterFailure(failure, "connecting to \(endpoint) failed")
        case (.disconnecting(.attempt(let current?), let stopWaiters), .success(let built))
        where current.isSame(as: attempt):
            // Connected although cancelled: close it and wait for it to be gone.
            closeLateConnection(built, nextState: { .disconnecting($0, stopWaiters: stopWaiters) })
        case (.restarting(.attempt(let current?), let stopWaiters), .success(let built))
        where current.isSame(as: attempt):
            closeLateConnection(built, nextState: { .restarting($0, stopWaiters: stopWaiters) })
        case (.disconnecting(.attempt(let current?), _), .failure), (.restarting(.attempt(let current?), _), .failure):
            if current.isSame(as: attempt) { disconnected() }
        default:
            // A stale attempt: close a connection that arrived after all.
            if case .success(let built) = result { built.transport?.loseConnection() }
        }
    }

    /// Closes a connection that arrived after its attempt was cancelled; the service then waits
    /// for it to be lost in the state `nextState` makes.
    private func closeLateConnection(_ built: Protocol, nextState: (DisconnectEnding) -> ConnectionState) {
        guard let connection = built as? ClientServiceConnection else {
            built.transport?.loseConnection()
            disconnected()
            return
        }
        state = nextState(.connection(connection))
        connection.transport?.loseConnection()
    }

    /// Runs `prepareConnection` for a new connection, or counts it connected at once.
    private func prepare(_ connection: ClientServiceConnection) {
        guard let prepareConnection else {
            connected(connection)
            return
        }
        state = .preparing(connection, prepared: nil)
        let prepared = maybeDeferred { try prepareConnection(connection.application) ?? succeed(()) }
        if case .preparing(let current, nil) = state, current === connection {
            state = .preparing(connection, prepared: prepared)
        }
        _ = prepared.addBoth { [weak self] result in
            self?.preparationEnded(connection, result)
        }
    }

    /// The Deferred of `prepareConnection` for `connection` fired.
    private func preparationEnded(_ connection: ClientServiceConnection, _ result: Result<Void, Failure>) {
        guard case .preparing(let current, _) = state, current === connection else { return }
        switch result {
        case .success:
            connected(connection)
        case .failure(let failure):
            retryAfterFailure(failure, "preparing the connection to \(endpoint) failed")
            connection.transport?.loseConnection()
        }
    }

    /// The connection is up and prepared: the failure count starts again and the waiters get the
    /// application's protocol.
    private func connected(_ connection: ClientServiceConnection) {
        state = .connected(connection)
        failedAttempts = 0
        let waiting = waiters
        waiters = []
        for waiter in waiting { try? waiter.deferred.callback(connection.application) }
    }

    /// A connection built by this service's factory is up (its application protocol's
    /// `connectionMade` has run); the endpoint reports it next. A service that is no longer
    /// connecting — stopped from inside that `connectionMade`, say, when the endpoint can no
    /// longer report the connection — closes it.
    private func connectionMade(_ connection: ClientServiceConnection) {
        switch state {
        case .connecting, .disconnecting(.attempt, _), .restarting(.attempt, _):
            break  // the attempt's Deferred decides
        case .stopped, .preparing, .connected, .waiting, .disconnecting(.connection, _), .restarting(.connection, _):
            logger.debug("\(self): closing a connection to \(endpoint) the service no longer wants")
            connection.transport?.loseConnection()
        }
    }

    /// A connection built by this service's factory is gone.
    private func connectionEnded(_ connection: ClientServiceConnection, reason: Failure) {
        switch state {
        case .connected(let current) where current === connection:
            retryAfterFailure(reason, "the connection to \(endpoint) was lost", countsForWaiters: false)
        case .preparing(let current, let prepared) where current === connection:
            retryAfterFailure(reason, "the connection to \(endpoint) was lost while being prepared")
            prepared?.cancel()
        case .disconnecting(.connection(let current), _) where current === connection,
            .restarting(.connection(let current), _) where current === connection:
            disconnected()
        default:
            break  // a connection rejected earlier, now closed
        }
    }

    // MARK: Retrying and stopping

    /// Counts a failure, tells the waiters (unless it is the loss of a working connection,
    /// which no waiter was waiting on), and schedules the next attempt.
    private func retryAfterFailure(_ failure: Failure, _ what: String, countsForWaiters: Bool = true) {
        failedAttempts += 1
        let policyDelay = retryPolicy(failedAttempts)
        let delay = policyDelay.isNaN ? 0 : max(0, policyDelay)
        state = .waiting(retry: clock.callLater(delay) { [weak self] in self?.retryDue() })
        logger.info("\(self): \(what) (\(failure.error)); failure \(failedAttempts) in a row, retrying in \(delay) s")
        if countsForWaiters { failWaiters(after: failure) }
    }

    /// The retry delay is over.
    private func retryDue() {
        guard case .waiting = state else { return }
        connect()
    }

    /// The attempt or connection a stop was waiting for has ended: the stop Deferreds fire, and
    /// a service started again meanwhile connects.
    private func disconnected() {
        switch state {
        case .disconnecting(_, let stopWaiters):
            state = .stopped
            for stopped in stopWaiters { try? stopped.callback() }
        case .restarting(_, let stopWaiters):
            connect()
            for stopped in stopWaiters { try? stopped.callback() }
        case .stopped, .connecting, .preparing, .connected, .waiting:
            assertionFailure("\(self) finished disconnecting in state \(state)")
        }
    }
}
