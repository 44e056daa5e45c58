/// A service that listens on one endpoint with every reactor of a ``ReactorGroup`` while it runs:
/// ``StreamServerEndpointService`` for a group. Each reactor builds protocols with its own
/// factory, made by `makeFactory` on that reactor's thread (see ``ReactorGroup`` for the two
/// strategies). It belongs to a service tree on the group's first reactor.
///
/// It starts before the group runs (``ServiceHost`` and `TwistRunner` start services before the
/// reactor runs): the group opens its listeners on the calling thread then. Its stop stops every
/// reactor's listener; its Deferred fires, on the first reactor, once all are closed. Connections
/// already served stay until their reactors stop.
public final class ReactorGroupEndpointService: Service {
    /// The group that serves.
    public let group: ReactorGroup
    /// Where it listens, as a description string.
    public let endpointDescription: String
    /// How connections are spread over the reactors.
    public let strategy: GroupListeningStrategy
    private let makeFactory: @Sendable (Reactor) -> Factory
    private let onListening: ((any ListeningPort) -> Void)?
    private var groupPort: ReactorGroupPort?

    /// A stopped service that will listen where `description` says with every reactor of
    /// `group`, each building its protocols with `makeFactory(reactor)`, and call `onListening`
    /// with the group's port once it listens.
    public init(
        _ description: String, group: ReactorGroup, strategy: GroupListeningStrategy = .handOff,
        name: String? = nil, makeFactory: @escaping @Sendable (Reactor) -> Factory,
        onListening: ((any ListeningPort) -> Void)? = nil
    ) {
        self.group = group
        self.endpointDescription = description
        self.strategy = strategy
        self.makeFactory = makeFactory
        self.onListening = onListening
        super.init(name: name)
    }

    /// The class, the name if any, the endpoint and the strategy.
    public override var description: String {
        "\(super.description) on \(endpointDescription) (\(strategy), \(group.count) reactors)"
    }

    /// Marks the service running and opens the group's listeners.
    ///
    /// - Throws: ``GroupServiceStartError`` when the group already runs; what
    ///   ``ReactorGroup/listen(_:strategy:factory:)`` throws (a bad description, an endpoint a
    ///   group cannot serve, a port in use). The service is then not running.
    public override func startService() throws {
        guard !group.isRunning else { throw GroupServiceStartError(service: description) }
        try super.startService()
        do {
            let port = try group.listen(endpointDescription, strategy: strategy, factory: makeFactory)
            groupPort = port
            onListening?(GroupListeningPort(port, reactor: group.reactors[0]))
        } catch {
            isRunning = false
            throw error
        }
    }

    /// Stops every reactor's listener.
    ///
    /// - Returns: nil when it was not listening; otherwise a Deferred that fires (and the service
    ///   is marked stopped) once every listener has closed.
    public override func stopService() -> Deferred<Void>? {
        guard let groupPort else {
            isRunning = false
            return nil
        }
        self.groupPort = nil
        return GroupListeningPort(groupPort, reactor: group.reactors[0]).stopListening().addCallback { [self] in
            isRunning = false
        }
    }
}

/// ``ReactorGroupEndpointService`` was started while its group runs: a group opens its
/// listeners from outside its reactors' threads, so the service starts before the group runs.
public struct GroupServiceStartError: Error, CustomStringConvertible {
    /// The service's description.
    public let service: String

    /// A one-line explanation.
    public var description: String { "\(service) must start before its reactor group runs" }
}

/// A group's port seen as one ``ListeningPort`` of its first reactor: its address, and a stop
/// whose Deferred fires on that reactor once every member's listener has closed.
final class GroupListeningPort: ListeningPort {
    let port: ReactorGroupPort
    let reactor: Reactor

    init(_ port: ReactorGroupPort, reactor: Reactor) {
        self.port = port
        self.reactor = reactor
    }

    var address: Address { port.address }

    func stopListening() -> Deferred<Void> {
        let closed = Deferred<Void>()
        let reactor = self.reactor
        let running = reactor.isRunning
        let box = UncheckedDeferredBox(closed)
        port.stopListening {
            // Fired on whichever thread closed the last listener; the Deferred belongs to the
            // first reactor, so it fires there (or here, when nothing runs).
            if running { reactor.callFromThread { try box.deferred.callback(()) } } else { try? box.deferred.callback(()) }
        }
        return closed
    }
}

/// Carries a reactor-confined Deferred through a `@Sendable` closure that ends on its reactor.
private struct UncheckedDeferredBox: @unchecked Sendable {
    let deferred: Deferred<Void>
    init(_ deferred: Deferred<Void>) { self.deferred = deferred }
}
