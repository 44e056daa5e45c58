/// Something a program starts and stops as a unit (Twisted's `Service`): a listening port, a
/// timer, a client that keeps a connection up. Services are put together in a ``MultiService``,
/// which starts them in order and stops them in reverse, and a program runs the root of that
/// tree (see `TwistRunner` in TwistCommandLine, or the swift-service-lifecycle bridge).
///
/// Subclass it and override ``startService()`` and ``stopService()``, calling `super` so that
/// ``isRunning`` stays true exactly while the service runs. A service that needs time to stop
/// returns a Deferred from ``stopService()`` that fires once it has stopped.
///
/// Confined to the reactor thread, like everything it starts.
open class Service {
    /// The service's name, unique among its parent's children; nil for an unnamed service.
    public private(set) var name: String?

    /// The ``MultiService`` this service belongs to, if any (held weakly: the parent owns its
    /// children, not the other way round).
    public internal(set) weak var parent: MultiService?

    /// True from ``startService()`` until ``stopService()`` (Twisted's `running`). The base
    /// class's methods set it; a subclass whose stop takes time may clear it itself once its
    /// stop has finished, as ``StreamServerEndpointService`` does.
    public var isRunning = false

    /// A stopped service called `name`.
    public init(name: String? = nil) {
        self.name = name
    }

    /// Renames the service.
    ///
    /// - Throws: ``ServiceNameFrozenError`` once the service has a parent (its parent finds it
    ///   by the name it was added with).
    public func setName(_ name: String?) throws {
        guard parent == nil else { throw ServiceNameFrozenError(name: self.name) }
        self.name = name
    }

    /// Called before ``startService()``, while the program may still hold privileges (Twisted
    /// opens ports below 1024 here). The base class does nothing.
    open func privilegedStartService() throws {}

    /// Starts the service. The base class marks it running; subclasses call `super` first.
    ///
    /// - Throws: whatever keeps the service from starting; the service is then not running.
    open func startService() throws {
        isRunning = true
    }

    /// Stops the service. The base class marks it stopped and returns nil (stopped at once);
    /// subclasses return a Deferred that fires once they have stopped, or fails with why they
    /// could not stop cleanly.
    open func stopService() -> Deferred<Void>? {
        isRunning = false
        return nil
    }

    /// Makes `parent` this service's parent: leaves a current parent first, then
    /// `parent.addService(self)` (which starts this service if `parent` is running).
    ///
    /// - Throws: ``DuplicateServiceNameError`` if `parent` already has a child with this name;
    ///   the service then has no parent.
    public func setServiceParent(_ parent: MultiService) throws {
        if self.parent != nil { _ = try disownServiceParent() }
        try parent.addService(self)
    }

    /// The service's class and name, such as `TimerService "tick"`, for logs and errors;
    /// subclasses may add what identifies them.
    open var description: String {
        let type = String(describing: Swift.type(of: self))
        return name.map { "\(type) \"\($0)\"" } ?? type
    }

    /// Leaves the parent: `parent.removeService(self)`, whose result it returns (a running
    /// parent stops the service first; nil when there is nothing to wait for).
    public func disownServiceParent() throws -> Deferred<Void>? {
        guard let parent else { return nil }
        return try parent.removeService(self)
    }
}

extension Service: CustomStringConvertible {}
