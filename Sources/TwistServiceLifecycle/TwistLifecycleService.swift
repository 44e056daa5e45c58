import Foundation
public import ServiceLifecycle
public import Twist

/// A Twist reactor with its services, run as one service of a swift-service-lifecycle
/// `ServiceGroup`, next to the other Swift server libraries of a program.
///
/// ```swift
/// let twist = TwistLifecycleService { host in
///     try host.addService(StreamServerEndpointService("tcp:8080", reactor: host.reactor, factory: factory))
/// }
/// let group = ServiceGroup(services: [twist, metricsExporter], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
///
/// ``run()`` runs the reactor on a thread of its own (a reactor owns its thread; the task only
/// waits): there `configure` adds the Twist services to a ``ServiceHost``, the host starts them,
/// and the reactor runs. The group's graceful shutdown stops the reactor, whose shutdown stops
/// the Twist services in reverse order within `shutdownGrace` seconds (the ``ServiceHost``
/// rules), and then ``run()`` returns. Cancellation stops the reactor at once.
///
/// The group owns the process's signals: the reactor installs no SIGTERM/SIGINT handler of its
/// own here. Put this service first in the group's list so that it stops last, after the services
/// that may still use Twist while they stop.
///
/// ``run()`` throws ``ServiceHostError`` when a Twist service fails to start (the group then
/// ends), or when the Twist services did not stop cleanly or within the grace;
/// `CancellationError` when the task was cancelled.
public struct TwistLifecycleService: ServiceLifecycle.Service {
    /// The reactor the Twist services run on.
    public let reactor: Reactor
    /// How long a graceful shutdown waits for the Twist services, in seconds.
    public let shutdownGrace: Double
    private let configure: @Sendable (ServiceHost) throws -> Void

    /// A service that will run `reactor` with the services `configure` adds to its host (called
    /// on the reactor's thread, before the reactor runs).
    public init(
        reactor: Reactor = Reactor(), shutdownGrace: Double = 10,
        configure: @escaping @Sendable (ServiceHost) throws -> Void
    ) {
        self.reactor = reactor
        self.shutdownGrace = shutdownGrace
        self.configure = configure
    }

    /// Runs the reactor and its services until the group shuts down (see the type's summary).
    public func run() async throws {
        let reactor = self.reactor
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await runOnReactorThread()
            } onGracefulShutdown: {
                reactor.callFromThread { try? reactor.stop() }
            }
        } onCancel: {
            reactor.callFromThread { reactor.crash() }
        }
        try Task.checkCancellation()
    }

    /// Starts the reactor's thread and waits, without blocking the task's thread, until the
    /// reactor has stopped.
    private func runOnReactorThread() async throws {
        let reactor = self.reactor, grace = shutdownGrace, configure = self.configure
        try await withCheckedThrowingContinuation { (finished: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    let host = ServiceHost(reactor: reactor, shutdownGrace: grace)
                    try configure(host)
                    try host.start()
                    try reactor.run()
                    if let outcome = host.outcome { throw outcome }
                    finished.resume()
                } catch {
                    finished.resume(throwing: error)
                }
            }
            thread.name = "twist-reactor"
            thread.start()
        }
    }
}
