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
    /// The reactor the services run on (with `--reactors N` above 1, the group's first).
    public var reactor: Reactor { host.reactor }
    /// The reactors serving the endpoints, when `--reactors` is above 1.
    public let group: ReactorGroup?
    /// The root of the services, started in the order they were added.
    public var services: MultiService { host.services }
    /// The command line's server options.
    public let options: ServerOptions
    /// The signals that stop the server (the first gracefully, a second at once).
    public let stopSignals: [Int32]
    private let host: ServiceHost
    private var hasRun = false

    /// A runner for `options`, on `reactor` (a new one by default; with `--reactors N` above 1, a
    /// new ``ReactorGroup`` of N, and `reactor` must be nil), stopped by `stopSignals` (SIGTERM =
    /// 15 and SIGINT = 2 unless a test picks others). Applies the log level and format at once, so
    /// what the program logs while setting up already follows them.
    public init(options: ServerOptions, reactor: Reactor? = nil, stopSignals: [Int32] = [15, 2]) {
        self.options = options
        self.stopSignals = stopSignals
        if options.reactors > 1 {
            precondition(reactor == nil, "TwistRunner: with --reactors above 1 the runner makes its own group")
            let group = ReactorGroup(count: options.reactors)
            self.group = group
            self.host = ServiceHost(reactor: group.reactors[0], shutdownGrace: options.shutdownGrace)
        } else {
            self.group = nil
            self.host = ServiceHost(reactor: reactor ?? Reactor(), shutdownGrace: options.shutdownGrace)
        }
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
    /// - Throws: a `ValidationError` naming the description that cannot be parsed, or saying that
    ///   this server cannot serve from several reactors when `--reactors` is above 1 (one factory
    ///   instance cannot be shared between threads: use ``listen(perReactor:onListening:)``).
    ///   Usage errors: exit status 2 under `mainWithUsageStatus2`; nothing has been added then.
    public func listen(_ factory: Factory, onListening: @escaping (any ListeningPort) -> Void) throws {
        guard group == nil else {
            throw ValidationError("--reactors \(options.reactors): this server shares state between its connections, so it serves from one reactor")
        }
        let wrapped = Self.applyingPolicies(to: factory, idleTimeout: options.idleTimeout, perPeer: options.maxConnectionsPerPeer, clock: reactor)
        var endpoints: [StreamServerEndpointService] = []
        for description in options.listening.endpointDescriptions {
            do {
                endpoints.append(try StreamServerEndpointService(
                    description, reactor: reactor, factory: wrapped, logger: reactor.logger, onListening: onListening
                ))
            } catch {
                throw ValidationError("bad --listen '\(description)': \(error)")
            }
        }
        for endpoint in endpoints { try addService(endpoint) }
    }

    /// Like ``listen(_:onListening:)``, for a server whose connections share nothing across
    /// reactors: `makeFactory` makes one factory per reactor, on that reactor's thread. With
    /// `--reactors N` above 1, each endpoint is a ``ReactorGroupEndpointService`` over the
    /// runner's group with `--reactor-strategy`; otherwise `makeFactory` is called once. The
    /// policies wrap each reactor's factory, so with N reactors `--max-connections-per-peer`
    /// counts per reactor.
    ///
    /// - Throws: a `ValidationError` naming a description that cannot be parsed.
    public func listen(
        perReactor makeFactory: @escaping @Sendable (Reactor) -> Factory,
        onListening: @escaping (any ListeningPort) -> Void
    ) throws {
        guard let group else { return try listen(makeFactory(reactor), onListening: onListening) }
        let idleTimeout = options.idleTimeout, perPeer = options.maxConnectionsPerPeer
        for description in options.listening.endpointDescriptions {
            do {
                _ = try serverFromString(reactor, description)
            } catch {
                throw ValidationError("bad --listen '\(description)': \(error)")
            }
            try addService(ReactorGroupEndpointService(
                description, group: group, strategy: options.reactorStrategy,
                makeFactory: { reactor in
                    Self.applyingPolicies(to: makeFactory(reactor), idleTimeout: idleTimeout, perPeer: perPeer, clock: reactor)
                },
                onListening: onListening
            ))
        }
    }

    /// `factory` inside the policies the options ask for.
    private static func applyingPolicies(
        to factory: Factory, idleTimeout: Double?, perPeer: Int?, clock: Reactor
    ) -> Factory {
        var factory = factory
        if let idleTimeout {
            factory = TimeoutFactory(wrapping: factory, idleTimeout: idleTimeout, clock: clock)
        }
        if let limit = perPeer {
            factory = LimitConnectionsByPeer(wrapping: factory, maxConnectionsPerPeer: limit)
        }
        return factory
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
        if let group {
            try group.run()
        } else {
            try reactor.run()
        }
        if let outcome = host.outcome { throw RunnerError.services(outcome) }
    }
}
