public import Logging

/// A service that calls a function every `interval` seconds while it runs (Twisted's
/// `TimerService`): a ``LoopingCall`` made anew at each start, which calls at once and then on
/// every interval boundary.
///
/// A function that throws (or whose Deferred fails) is logged and its loop ends; the service
/// still counts as running until it is stopped. Stopping waits for a call in progress (one whose
/// Deferred has not fired) to finish. The service can be started again.
///
/// Confined to the clock's thread.
public final class TimerService: Service {
    /// Seconds between calls.
    public let interval: Double
    private let clock: any ReactorTime
    private let body: () throws -> Deferred<Void>?
    private let logger: Logger
    private var loop: LoopingCall?
    /// Fires when the current loop ends (stopped or failed; a failure is already logged).
    private var loopEnded: Deferred<Void>?

    /// A stopped service that will call `body` every `interval` seconds on `clock`.
    public convenience init(
        interval: Double, clock: any ReactorTime, name: String? = nil,
        logger: Logger = Logger(label: "twist.service"), _ body: @escaping () throws -> Void
    ) {
        self.init(interval: interval, clock: clock, name: name, logger: logger, deferredBody: {
            try body()
            return nil
        })
    }

    /// A stopped service that will call `body` every `interval` seconds on `clock`, each time
    /// waiting for the Deferred it returns before counting the next interval.
    public convenience init<Result>(
        interval: Double, clock: any ReactorTime, name: String? = nil,
        logger: Logger = Logger(label: "twist.service"), waitingFor body: @escaping () throws -> Deferred<Result>
    ) {
        self.init(interval: interval, clock: clock, name: name, logger: logger, deferredBody: {
            try body().addCallback { _ in }
        })
    }

    private init(
        interval: Double, clock: any ReactorTime, name: String?, logger: Logger,
        deferredBody: @escaping () throws -> Deferred<Void>?
    ) {
        precondition(interval >= 0, "TimerService needs a non-negative interval, got \(interval)")
        self.interval = interval
        self.clock = clock
        self.body = deferredBody
        self.logger = logger
        super.init(name: name)
    }

    /// Marks the service running and starts a new loop, which calls the function at once.
    public override func startService() throws {
        try super.startService()
        let body = self.body
        let loop = LoopingCall(clock: clock, waitingFor: { try body() ?? succeed(()) })
        self.loop = loop
        let description = self.description
        loopEnded = loop.start(interval: interval, now: true).addBoth { [logger] result -> Void in
            if case .failure(let failure) = result {
                logger.error("\(description): the timed call failed, so its loop ended: \(failure.error)")
            }
        }
    }

    /// Stops the loop.
    ///
    /// - Returns: nil when the service was not started; otherwise a Deferred that fires (and the
    ///   service is marked stopped) once a call in progress has finished.
    public override func stopService() -> Deferred<Void>? {
        guard let loop, let loopEnded else {
            isRunning = false
            return nil
        }
        self.loop = nil
        self.loopEnded = nil
        if loop.isRunning { loop.stop() }
        return loopEnded.addCallback { [self] in isRunning = false }
    }
}
