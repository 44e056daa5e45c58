/// Runs a tree of services on a reactor with an ordered, bounded stop: the one engine under
/// `TwistRunner` (a command line's server) and the swift-service-lifecycle bridge.
///
/// ``start()`` starts the services, in the order they were added, before the reactor runs, and
/// arranges for the reactor's shutdown to stop them: whoever stops the reactor (a signal
/// handler, a service manager, code calling `reactor.stop()`), its `before shutdown` trigger
/// stops the services in reverse order and waits for their Deferreds, at most
/// ``shutdownGrace`` seconds, before the reactor stops. ``stopAtOnce(_:)`` cuts that wait
/// short. After `reactor.run()` returns, ``outcome`` says how the run ended.
///
/// Confined to the reactor's thread. A host runs once.
public final class ServiceHost {
    /// The reactor the services run on.
    public let reactor: Reactor
    /// The root of the services.
    public let services: MultiService
    /// How long a stop waits for the services before the reactor stops anyway, in seconds.
    public let shutdownGrace: Double
    private var phase = ServiceHostPhase.configuring

    /// A host for services on `reactor`, whose stop waits at most `shutdownGrace` seconds.
    public init(reactor: Reactor, shutdownGrace: Double = 10) {
        precondition(shutdownGrace >= 0 && shutdownGrace.isFinite, "ServiceHost needs a finite, non-negative grace")
        self.reactor = reactor
        self.shutdownGrace = shutdownGrace
        self.services = MultiService(name: "root", logger: reactor.logger)
    }

    /// Adds `service` after those already added (it starts after them and stops before them).
    ///
    /// - Throws: ``DuplicateServiceNameError`` when another service has its name.
    public func addService(_ service: Service) throws {
        guard case .configuring = phase else { preconditionFailure("ServiceHost.addService: add services before start()") }
        try service.setServiceParent(services)
    }

    /// True while the services are stopping (a stop was asked and has not finished).
    public var isStopping: Bool {
        if case .stopping = phase { return true }
        return false
    }

    /// How the run ended: nil while it runs and after a clean stop.
    public var outcome: ServiceHostError? {
        if case .finished(let error) = phase { return error }
        return nil
    }

    /// Starts the services and hooks their stop into the reactor's shutdown.
    ///
    /// - Throws: ``ServiceHostError/startFailed(_:)`` when a service's start throws; the services
    ///   started before it have been stopped again (their ports are closed) and nothing is hooked.
    public func start() throws(ServiceHostError) {
        guard case .configuring = phase else { preconditionFailure("ServiceHost.start: a host runs once") }
        do {
            try services.startService()
        } catch {
            phase = .finished(.startFailed("\(error)"))
            throw .startFailed("\(error)")
        }
        phase = .serving
        reactor.addSystemEventTrigger(.before, .shutdown, waitingFor: { [self] in stopServices() })
    }

    /// Asks for the graceful stop: stops the reactor, whose shutdown stops the services.
    ///
    /// - Returns: false when the host is not serving (not started, already stopping, or done).
    @discardableResult
    public func stop() -> Bool {
        guard case .serving = phase else { return false }
        try? reactor.stop()
        return true
    }

    /// Ends the run now, without waiting for the services still stopping (or not yet stopped):
    /// the reactor stops after the current loop pass, and ``outcome`` is
    /// ``ServiceHostError/stoppedAtOnce(_:)`` with `reason`.
    public func stopAtOnce(_ reason: String) {
        switch phase {
        case .serving, .stopping:
            phase = .finished(.stoppedAtOnce(reason))
            reactor.crash()
        case .configuring, .finished:
            break
        }
    }

    /// The `before shutdown` trigger: stops the services, waiting at most the grace period.
    private func stopServices() -> Deferred<Void>? {
        guard case .serving = phase else { return nil }
        phase = .stopping
        guard let stopping = services.stopService() else {
            phase = .finished(nil)
            return nil
        }
        // Whichever comes first, the services' stop or the end of the grace, ends the wait. The
        // services' stop is not cancelled: it may still finish while the reactor shuts down.
        let grace = shutdownGrace
        let waited = Deferred<Void>()
        let graceTimer = reactor.callLater(grace) { [self] in
            guard case .stopping = phase else { return }
            phase = .finished(.stopTimedOut(seconds: grace))
            try waited.callback(())
        }
        stopping.addBoth { [self] result -> Void in
            if graceTimer.isActive { try? graceTimer.cancel() }
            guard case .stopping = phase else { return }
            if case .failure(let failure) = result {
                phase = .finished(.stopFailed("\(failure.error)"))
            } else {
                phase = .finished(nil)
            }
            try waited.callback(())
        }
        return waited
    }
}
