/// Calls a function every `interval` seconds on a clock (Twisted's `task.LoopingCall`).
///
/// ``start(interval:now:)`` returns a Deferred that fires with the loop itself once ``stop()`` is
/// called, or fails with the failure of the function if it throws (or returns a Deferred that
/// fails) — the loop then stops. When the function returns a Deferred, the next call is scheduled
/// only after it has fired.
///
/// Calls land on interval boundaries counted from the start time. A late call (the function or
/// the reactor was slow) does not make up for missed boundaries: the next call goes on the next
/// boundary strictly in the future, found in O(1) however many were missed. A loop made with
/// ``withCount(clock:_:)`` tells its function how many boundaries passed since the previous call.
///
/// Confined to the clock's thread. While scheduled, the clock's pending call keeps the loop alive.
public final class LoopingCall {
    private let clock: any ReactorTime
    /// The function; it gets the number of boundaries crossed and may return a Deferred to wait on.
    private let body: (Int) throws -> Deferred<Void>?
    private var startTime: Double = 0
    private var lastCallTime: Double?
    private var startedWithCall = false
    private var call: DelayedCall?
    private var finished: Deferred<LoopingCall>?

    /// The interval of the current (or last) run, or nil before the first ``start(interval:now:)``.
    public private(set) var interval: Double?

    /// True from ``start(interval:now:)`` until ``stop()`` or a failure of the function.
    public private(set) var isRunning = false

    /// A loop that calls `body` on `clock`.
    public convenience init(clock: any ReactorTime, _ body: @escaping () throws -> Void) {
        self.init(clock: clock, counting: { _ in
            try body()
            return nil
        })
    }

    /// A loop whose `body` returns a Deferred: the next call is scheduled once it has fired, and the
    /// loop stops with its failure if it fails.
    public convenience init<Result>(clock: any ReactorTime, waitingFor body: @escaping () throws -> Deferred<Result>) {
        self.init(clock: clock, counting: { _ in try body().addCallback { _ in } })
    }

    /// A loop whose `body` gets the number of interval boundaries that passed since its previous
    /// call (at least 1; more when calls were missed; always 1 when the interval is 0), like
    /// Twisted's `LoopingCall.withCount`.
    public static func withCount(clock: any ReactorTime, _ body: @escaping (Int) throws -> Void) -> LoopingCall {
        LoopingCall(clock: clock, counting: { count in
            try body(count)
            return nil
        })
    }

    private init(clock: any ReactorTime, counting body: @escaping (Int) throws -> Deferred<Void>?) {
        self.clock = clock
        self.body = body
    }

    /// Starts calling the function every `interval` seconds: at once when `now` is true, otherwise
    /// first after one interval. An interval of 0 calls it on every pass of the reactor.
    ///
    /// - Precondition: the loop is not running, and `interval` is zero or positive.
    /// - Returns: a Deferred that fires with this loop when ``stop()`` is called, or fails with the
    ///   function's failure.
    @discardableResult
    public func start(interval: Double, now: Bool = true) -> Deferred<LoopingCall> {
        precondition(!isRunning, "LoopingCall.start: the loop is already running")
        precondition(interval >= 0, "LoopingCall.start needs a non-negative interval, got \(interval)")
        let finished = Deferred<LoopingCall>()
        self.finished = finished
        self.interval = interval
        isRunning = true
        startTime = clock.seconds()
        lastCallTime = nil
        startedWithCall = now
        if now {
            runIteration()
        } else {
            schedule(from: startTime)
        }
        return finished
    }

    /// Stops the loop; the Deferred from ``start(interval:now:)`` fires with the loop, at once, or,
    /// when called from inside the function, once the function (and a Deferred it returned) is done.
    ///
    /// - Precondition: the loop is running.
    public func stop() {
        precondition(isRunning, "LoopingCall.stop: the loop is not running")
        isRunning = false
        guard let call else { return }  // inside an iteration: finishIteration() fires
        self.call = nil
        try? call.cancel()
        fireFinished(.success(self))
    }

    /// Skips the next call and restarts the interval from now.
    ///
    /// - Precondition: the loop is running.
    public func reset() {
        precondition(isRunning, "LoopingCall.reset: the loop is not running")
        guard let call else { return }
        try? call.cancel()
        self.call = nil
        startTime = clock.seconds()
        schedule(from: startTime)
    }

    private func runIteration() {
        call = nil
        let outcome: Deferred<Void>?
        do {
            if let count = boundariesSinceLastCall() {
                outcome = try body(count)
            } else {
                outcome = nil
            }
        } catch {
            fail(Failure(error))
            return
        }
        guard let outcome else {
            finishIteration()
            return
        }
        _ = outcome.addCallbacks({ [self] _ in finishIteration() }, { [self] failure in fail(failure) })
    }

    private func finishIteration() {
        if isRunning {
            schedule(from: clock.seconds())
        } else {
            fireFinished(.success(self))
        }
    }

    private func fail(_ failure: Failure) {
        isRunning = false
        fireFinished(.failure(failure))
    }

    private func fireFinished(_ outcome: Result<LoopingCall, Failure>) {
        guard let finished else { return }
        self.finished = nil
        switch outcome {
        case .success(let loop): try? finished.callback(loop)
        case .failure(let failure): try? finished.errback(failure)
        }
    }

    /// Schedules the next call on the first interval boundary strictly after `time`.
    private func schedule(from time: Double) {
        guard let interval else { return }
        var delay = 0.0
        if interval > 0 {
            let elapsed = time - startTime
            delay = interval - elapsed.truncatingRemainder(dividingBy: interval)
            // So far from the start that the remainder is lost in rounding: wait one interval.
            if time + delay == time { delay = interval }
        }
        call = clock.callLater(delay) { [self] in runIteration() }
    }

    /// How many boundaries passed since the previous call (nil when none did, and the call is skipped).
    private func boundariesSinceLastCall() -> Int? {
        let now = clock.seconds()
        guard let interval, interval > 0 else {
            lastCallTime = now
            return 1
        }
        let previous = lastCallTime ?? (startedWithCall ? startTime - interval : startTime)
        let count = boundaryIndex(of: now, interval) - boundaryIndex(of: previous, interval)
        guard count > 0 else { return nil }
        lastCallTime = now
        return count
    }

    private func boundaryIndex(of time: Double, _ interval: Double) -> Int {
        Int(((time - startTime) / interval).rounded(.towardZero))
    }
}
