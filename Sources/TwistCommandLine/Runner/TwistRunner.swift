import ArgumentParser
import Foundation
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
/// What ``run()`` does, in order: applies `--log-level`/`--log-format`; claims `--pidfile`; starts
/// the services in the order they were added (a `--listen` endpoint is a
/// ``StreamServerEndpointService``), before the reactor runs, so a port that cannot be opened
/// ends the program before it serves; runs the reactor. On SIGTERM or SIGINT (or when code calls
/// `reactor.stop()`) it stops the services in reverse order — the reactor's `before shutdown`
/// trigger waits for their Deferreds, at most `--shutdown-grace` seconds — and then the reactor.
/// A second signal during that wait stops the reactor at once. The pidfile is removed on the way
/// out.
///
/// Exit status, through `mainWithUsageStatus2`: 0 after a clean stop; 1 with one `Error: …` line
/// (a ``RunnerError``) when the pidfile, a service's start or a service's stop failed, the grace
/// ran out, or a second signal cut the stop short; 2 for a bad `--listen` (a usage error). When
/// the start fails, every port opened before the failure is closed again.
///
/// The runner logs nothing of its own above `info`: what goes wrong is the error ``run()`` throws,
/// printed once. A runner runs once. It is confined to the thread that calls ``run()`` (the reactor's thread).
public final class TwistRunner {
    /// The reactor the services run on.
    public let reactor: Reactor
    /// The root of the services, started in the order they were added.
    public let services: MultiService
    /// The command line's server options.
    public let options: ServerOptions
    /// The signals that stop the server (the first gracefully, a second at once).
    public let stopSignals: [Int32]
    private var phase = RunnerPhase.configuring

    /// A runner for `options`, on `reactor`, stopped by `stopSignals` (SIGTERM = 15 and SIGINT = 2 unless a
    /// test picks others). Applies the log level and format at once, so what the program logs
    /// while setting up already follows them.
    public init(options: ServerOptions, reactor: Reactor = Reactor(), stopSignals: [Int32] = [15, 2]) {
        self.options = options
        self.reactor = reactor
        self.stopSignals = stopSignals
        self.services = MultiService(name: "twist", logger: reactor.logger)
        LogSettings.level = options.logLevel
        LogSettings.format = options.logFormat
    }

    /// Adds one ``StreamServerEndpointService`` per endpoint the options name (`--port`'s first,
    /// then each `--listen`; `tcp:0:interface=127.0.0.1` when there are none), each building
    /// protocols with `factory` and calling `onListening` with its port once it listens.
    ///
    /// - Throws: a `ValidationError` naming the description that cannot be parsed (a usage
    ///   error: exit status 2 under `mainWithUsageStatus2`); nothing has been added then.
    public func listen(_ factory: Factory, onListening: @escaping (any ListeningPort) -> Void) throws {
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

    /// Adds `service` to the root, after those already added (so it starts after them and stops
    /// before them).
    ///
    /// - Throws: ``DuplicateServiceNameError`` when another service has its name.
    public func addService(_ service: Service) throws {
        precondition(isConfiguring, "TwistRunner.addService: add services before run()")
        try service.setServiceParent(services)
    }

    /// Starts the services, runs the reactor until a stop, and stops the services in reverse
    /// order (see the type's summary).
    ///
    /// - Throws: a ``RunnerError`` when the run did not end cleanly; `SignalInUse` when another
    ///   reactor of the process watches one of the stop signals (nothing was started then).
    public func run() throws {
        precondition(isConfiguring, "TwistRunner.run: a runner runs once")
        phase = .finished(nil)  // until the services have started
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
            handlers.append(try reactor.addSignalHandler(signal) { [self] received in stopRequested(by: received) })
        }
        do {
            try services.startService()
        } catch {
            throw RunnerError.startFailed("\(error)")
        }
        phase = .serving
        reactor.addSystemEventTrigger(.before, .shutdown, waitingFor: { [self] in stopServices() })
        try reactor.run()
        if case .finished(let error?) = phase { throw error }
        phase = .finished(nil)
    }

    private var isConfiguring: Bool {
        if case .configuring = phase { return true }
        return false
    }

    /// The first signal stops gracefully; a second, during the stop, stops at once.
    private func stopRequested(by signal: Int32) {
        switch phase {
        case .serving:
            reactor.logger.info("received signal \(signal): stopping the services")
            try? reactor.stop()
        case .stopping:
            phase = .finished(RunnerError.stoppedAtOnce(signal: signal))
            reactor.crash()
        case .configuring, .finished:
            break
        }
    }

    /// The `before shutdown` trigger: stops the services, for at most the grace period, and
    /// records how that went.
    private func stopServices() -> Deferred<Void>? {
        guard case .serving = phase else { return nil }
        phase = .stopping
        let grace = options.shutdownGrace
        guard let stopping = services.stopService() else {
            phase = .finished(nil)
            return nil
        }
        // Whichever comes first, the services' stop or the end of the grace, ends the wait.
        let waited = Deferred<Void>()
        let graceTimer = reactor.callLater(grace) { [self] in
            guard case .stopping = phase else { return }
            phase = .finished(RunnerError.stopTimedOut(seconds: grace))
            try waited.callback(())
        }
        stopping.addBoth { [self] result -> Void in
            if graceTimer.isActive { try? graceTimer.cancel() }
            guard case .stopping = phase else { return }
            if case .failure(let failure) = result {
                phase = .finished(RunnerError.stopFailed("\(failure.error)"))
            } else {
                phase = .finished(nil)
            }
            try waited.callback(())
        }
        return waited
    }
}
