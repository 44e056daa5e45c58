/// The lifecycle capability of a reactor (Twisted's `IReactorCore`): running, stopping, and the
/// system event triggers that run around them.
public protocol ReactorCore: AnyObject {
    /// True from the `during` phase of startup until `run()` returns.
    var isRunning: Bool { get }

    /// Runs the reactor until ``stop()`` is called and shutdown has finished.
    ///
    /// - Throws: `ReactorAlreadyRunning` if it is running, `ReactorNotRestartable` if it ran before.
    func run() throws

    /// Asks a running reactor to stop. It returns at once; the shutdown triggers run later, from
    /// the loop, and then `run()` returns.
    ///
    /// - Throws: `ReactorNotRunning` if the reactor is not running, or is already stopping.
    func stop() throws

    /// Runs `body` once the reactor is running: after startup if it is not running yet (and then
    /// returns a handle for removing it), or at once if it is (and then returns nil).
    @discardableResult
    func callWhenRunning(_ body: @escaping () throws -> Void) -> SystemEventTrigger?

    /// Registers `body` to run in `phase` each time `event` fires (Twisted's
    /// `addSystemEventTrigger`). Triggers of one phase run in the order they were added; an error
    /// thrown by one is logged and the others still run; each runs at most once.
    @discardableResult
    func addSystemEventTrigger(
        _ phase: TriggerPhase, _ event: SystemEvent, _ body: @escaping () throws -> Void
    ) -> SystemEventTrigger

    /// Registers a trigger whose returned ``TriggerCompletion`` holds back the event: in the
    /// `before` phase, the `during` phase waits until it completes. In other phases the returned
    /// value is not waited for.
    @discardableResult
    func addSystemEventTrigger(
        _ phase: TriggerPhase, _ event: SystemEvent,
        waitingFor body: @escaping () throws -> (any TriggerCompletion)?
    ) -> SystemEventTrigger

    /// Removes a trigger that has not run yet.
    ///
    /// - Throws: ``UnknownSystemEventTrigger`` if it is not registered (never was, was removed, or ran).
    func removeSystemEventTrigger(_ trigger: SystemEventTrigger) throws

    /// Fires `event`'s triggers: `before`, then (after every `before` completion) `during`, then `after`.
    func fireSystemEvent(_ event: SystemEvent)
}
