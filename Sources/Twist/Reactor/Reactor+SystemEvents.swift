import TwistCore

extension Reactor {
    /// Runs `body` once the reactor is running: after the startup event if it is not running yet
    /// (returning the trigger's handle), or right away if it is (returning nil; an error `body`
    /// throws is logged).
    @discardableResult
    public nonisolated func callWhenRunning(_ body: @escaping () throws -> Void) -> SystemEventTrigger? {
        requireConfined()
        guard isRunning else { return addSystemEventTrigger(.after, .startup, body) }
        do {
            try body()
        } catch {
            logger.error("error in a callWhenRunning call", metadata: ["error": "\(error)"])
        }
        return nil
    }

    /// Registers `body` to run in `phase` of `event`; see ``ReactorCore``.
    @discardableResult
    public nonisolated func addSystemEventTrigger(
        _ phase: TriggerPhase, _ event: SystemEvent, _ body: @escaping () throws -> Void
    ) -> SystemEventTrigger {
        addSystemEventTrigger(phase, event, waitingFor: {
            try body()
            return nil
        })
    }

    /// Registers `body` to run in `phase` of `event`; a ``TriggerCompletion`` it returns from the
    /// `before` phase holds back the `during` phase until it completes. (Disfavoured so that a
    /// trailing closure that only throws picks the plain overload.)
    @discardableResult
    @_disfavoredOverload
    public nonisolated func addSystemEventTrigger(
        _ phase: TriggerPhase, _ event: SystemEvent,
        waitingFor body: @escaping () throws -> (any TriggerCompletion)?
    ) -> SystemEventTrigger {
        requireConfined()
        return core.triggers.add(phase, event, body)
    }

    /// Removes a trigger that has not run yet.
    ///
    /// - Throws: ``UnknownSystemEventTrigger`` if it is not registered.
    public nonisolated func removeSystemEventTrigger(_ trigger: SystemEventTrigger) throws {
        requireConfined()
        try core.triggers.remove(trigger)
    }

    /// Fires the triggers of `event`. Startup and shutdown are fired by ``run()`` and ``stop()``;
    /// this is for events of the program's own.
    public nonisolated func fireSystemEvent(_ event: SystemEvent) {
        requireConfined()
        core.triggers.fire(event)
    }
}
