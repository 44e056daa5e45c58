public import Logging

/// A service made of services (Twisted's `MultiService`): it starts its children in the order
/// they were added and stops them in reverse, so a program's root service brings everything up
/// and down in one call.
///
/// Differences from Twisted, chosen so a program never runs half-started or hides a failed stop:
/// - If a child throws from its start, the children already started are stopped again (in
///   reverse), this service is left not running, and ``startService()`` throws
///   ``ServiceStartError``. Twisted leaves the earlier children running and itself `running`.
/// - ``stopService()`` stops every child (in reverse order, all at once, as Twisted does) and its
///   Deferred fails with ``ServiceStopError`` when any child's stop failed, after all of them
///   have finished. Twisted's succeeds and reports the failure later as unhandled.
///
/// Confined to the reactor thread.
open class MultiService: Service {
    /// The children, in the order they were added (and are started).
    public private(set) var services: [Service] = []

    /// Where a failed rollback stop is reported.
    private let logger: Logger

    /// An empty, stopped service called `name`.
    public init(name: String? = nil, logger: Logger = Logger(label: "twist.service")) {
        self.logger = logger
        super.init(name: name)
    }

    /// The child called `name`.
    ///
    /// - Throws: ``ServiceNotFoundError`` when no child has that name.
    public func service(named name: String) throws -> Service {
        guard let child = services.first(where: { $0.name == name }) else {
            throw ServiceNotFoundError(name: name)
        }
        return child
    }

    /// Adds `service` as the last child; if this service is running, starts it at once
    /// (`privilegedStartService()`, then `startService()`). Prefer
    /// ``Service/setServiceParent(_:)``, which leaves a previous parent first.
    ///
    /// - Throws: ``DuplicateServiceNameError`` when another child has its name; whatever the
    ///   child's start throws (the child stays added, not running).
    public func addService(_ service: Service) throws {
        if let name = service.name, services.contains(where: { $0.name == name }) {
            throw DuplicateServiceNameError(name: name)
        }
        services.append(service)
        service.parent = self
        if isRunning {
            try service.privilegedStartService()
            try service.startService()
        }
    }

    /// Removes the child `service`; if this service is running, stops it and returns its
    /// stop's Deferred.
    ///
    /// - Throws: ``NotAChildServiceError`` when `service` is not a child of this one.
    @discardableResult
    public func removeService(_ service: Service) throws -> Deferred<Void>? {
        guard let index = services.firstIndex(where: { $0 === service }) else {
            throw NotAChildServiceError(service: service.description)
        }
        services.remove(at: index)
        service.parent = nil
        return isRunning ? service.stopService() : nil
    }

    /// Runs every child's `privilegedStartService()`, in order.
    open override func privilegedStartService() throws {
        try super.privilegedStartService()
        for child in services { try child.privilegedStartService() }
    }

    /// Marks this service running and starts the children in order.
    ///
    /// - Throws: ``ServiceStartError`` naming the first child whose start threw; the children
    ///   started before it have been stopped (their stop failures are logged) and this service
    ///   is not running.
    open override func startService() throws {
        try super.startService()
        for (index, child) in services.enumerated() {
            do {
                try child.startService()
            } catch {
                rollBack(services[..<index])
                isRunning = false
                throw ServiceStartError(service: child.description, underlying: error)
            }
        }
    }

    /// Marks this service stopped and stops every child, last added first, without waiting for
    /// one before stopping the next.
    ///
    /// - Returns: a Deferred that fires once every child has stopped, or fails with
    ///   ``ServiceStopError`` listing the children whose stop failed (after all have finished).
    open override func stopService() -> Deferred<Void>? {
        _ = super.stopService()
        let children = services.reversed().map { ($0.description, $0.stopService() ?? succeed(())) }
        return DeferredList.all(children.map(\.1), consumeErrors: true).addCallback { (results) -> Void in
            let failures = zip(children, results).compactMap { child, result -> (String, Failure)? in
                guard case .failure(let failure) = result else { return nil }
                return (child.0, failure)
            }
            if !failures.isEmpty { throw ServiceStopError(failures: failures.map { (service: $0.0, failure: $0.1) }) }
        }
    }

    /// Stops `started` in reverse after a failed start; a failed stop is logged, as nobody waits.
    private func rollBack(_ started: ArraySlice<Service>) {
        for child in started.reversed() {
            let name = child.description
            _ = child.stopService()?.addErrback { [logger] failure in
                logger.error("\(name) failed to stop after a failed start: \(failure.error)")
            }
        }
    }
}
