import ArgumentParser
public import Twist

/// Runs a Twist server the way every Twisted-style server runs (Twisted's `twist`): a program's
/// `main` builds its factories and services, hands them to a runner, and calls ``run()``.
///
/// ```swift
/// let runner = TwistRunner(options: server)        // server: ServerOptions from the command line
/// try runner.listen(factory) { Console.out("Serving on \($0.address).\n") }
/// try runner.run()
/// ```
///
/// What ``run()`` does, in order: claims `--pidfile`; installs the stop signals' handlers; starts
/// the services in the order they were added (a `--listen` endpoint is a
/// ``StreamServerEndpointService``), before the reactor runs, so a port that cannot be opened
/// ends the program before it serves; runs the reactor. On SIGTERM or SIGINT (or when code calls
/// `reactor.stop()`) the services stop in reverse order — the reactor's `before shutdown`
/// trigger waits for their Deferreds, at most `--shutdown-grace` seconds — and then the reactor
/// (a ``ServiceHost`` does this part). A second signal during that wait stops the reactor at
/// once. The pidfile is removed on the way out. `--log-level` and `--log-format` apply as soon
/// as the runner is made.
///
/// Exit status, through `mainWithUsageStatus2`: 0 after a clean stop; 1 with one `Error: …` line
/// (a ``RunnerError``) when the pidfile, a service's start or a service's stop failed, the grace
/// ran out, or a second signal cut the stop short; 2 for a bad `--listen` (a usage error). When
/// a start fails, every port opened before the failure is closed again. The runner logs nothing
/// of its own above `info`: what goes wrong is the error ``run()`` throws, printed once.
///
/// A runner runs once. It is confined to the thread that calls ``run()`` (the reactor's thread).
public final class TwistRunner {
    /// The reactor the services run on.
    public var reactor: Reactor { host.reactor }
    /// The root of the services, started in the order they were added.
    public var services: MultiService { host.services }
    /// The command line's server options.
    public let options: ServerOptions
    /// The signals that stop the server (the first gracefully, a second at once).
    public let stopSignals: [Int32]
    private let host: ServiceHost
    private var hasRun = false

    /// A runner for `options`, on `reactor`, stopped by `stopSignals` (SIGTERM = 15 and SIGINT = 2
    /// unless a test picks others). Applies the log level and format at once, so what the
    /// program logs while setting up already follows them.
    public init(options: ServerOptions, reactor: Reactor = Reactor(), stopSignals: [Int32] = [15, 2]) {
        self.options = options
        self.stopSignals = stopSignals
        self.host = ServiceHost(reactor: reactor, shutdownGrace: options.shutdownGrace)
        LogSettings.level = options.logLevel
        LogSettings.format = options.logFormat
    }

    /// Adds one ``StreamServerEndpointService`` per endpoint the options name (`--port`'s first,
    /// then each `--listen`; `tcp:0:interface=127.0.0.1` when there are none), each building
    /// protocols with `factory` and calling `onListening` with its port once it listens.
    ///
    /// With `--idle-timeout`, `factory` is wrapped in a ``TimeoutFactory``; with
    /// `--max-connections-per-peer`, in a ``LimitConnectionsByPeer`` (outermost, so a refused
    /// connection costs no timer). One wrapped factory serves every endpoint, so the per-peer
    /// count spans them.
    ///
    /// - Throws: a `ValidationError` naming the description that cannot be parsed (a usage
    ///   error: exit status 2 under `mainWithUsageStatus2`); nothing has been added then.
    public func listen(_ factory: Factory, onListening: @escaping (any ListeningPort) -> Void) throws {
        var factory = factory
        if let idleTimeout = options.idleTimeout {
            factory = TimeoutFactory(wrapping: factory, idleTimeout: idleTimeout, clock: reactor)
        }
        if let limit = options.maxConnectionsPerPeer {
            factory = LimitConnectionsByPeer(wrapping: factory, maxConnectionsPerPeer: limit)
        }
        var endpoints: [StreamServerEndpointService] = []
        for description in options.listening.endpointDescriptions {
            do {
                endpoints.append(try StreamServerEndpointService(
                    description, reactor: reactor, factory: factory, logger: reactor.logger, onListening: onListening
                ))
            } catch {
                throw ValidationError("bad --listen '\(description)': \(error)")
            }
        }
        for endpoint in endpoints { try addService(endpoint) }
    }

    /// Adds `service` after those already added (so it starts after them and stops before them).
    ///
    /// - Throws: ``DuplicateServiceNameError`` when another service has its name.
    public func addService(_ service: Service) throws {
        try host.addService(service)
    }

    /// Starts the services, runs the reactor until a stop, and stops the services in reverse
    /// order (see the type's summary).
    ///
    /// - Throws: a ``RunnerError`` when the run did not end cleanly; `SignalInUse` when another
    ///   reactor of the process watches one of the stop signals (nothing was started then).
    public func run() throws {
        precondition(!hasRun, "TwistRunner.run: a runner runs once")
        hasRun = true
        let pidFile = options.pidfile.map(PIDFile.init(path:))
        do {
            try pidFile?.claim()
        } catch {
            throw RunnerError.pidFile(error)
        }
        defer { pidFile?.release() }
        var handlers: [SignalHandlerRegistration] = []
        defer { for handler in handlers { handler.remove() } }
        for signal in stopSignals {
            handlers.append(try reactor.addSignalHandler(signal) { [host] received in
                if host.isStopping {
                    host.stopAtOnce("a second signal, \(received)")
                } else if host.stop() {
                    host.reactor.logger.info("received signal \(received): stopping the services")
                }
            })
        }
        do {
            try host.start()
        } catch {
            throw RunnerError.services(error)
        }
        try reactor.run()
        if let outcome = host.outcome { throw RunnerError.services(outcome) }
    }
}
