package import Logging

/// The triggers of every ``SystemEvent`` of one reactor, and the three-phase firing of them
/// (Twisted's `_ThreePhaseEvent`, one per event type).
///
/// Firing an event runs its `before` triggers, waits until every ``TriggerCompletion`` they
/// returned has completed, then runs the `during` and the `after` triggers. Within a phase,
/// triggers run in the order they were added. A trigger is removed as it runs, so each runs at
/// most once even if the event fires again; removing one that has not run yet (also from inside
/// another trigger, or while `before` work is pending) keeps it from running. An error thrown by a
/// trigger is logged and the rest still run. Confined to the reactor thread.
package final class SystemEventRegistry {
    private struct Trigger {
        let id: UInt64
        let body: () throws -> (any TriggerCompletion)?
    }

    /// One event's triggers and whether it is waiting for `before` work.
    private final class EventTriggers {
        var phases: [TriggerPhase: [Trigger]] = [.before: [], .during: [], .after: []]
        var isWaitingForBefore = false
    }

    private var events: [SystemEvent: EventTriggers] = [:]
    private var nextID: UInt64 = 0
    private let logger: Logger

    /// Creates an empty registry that reports trigger errors to `logger`.
    package init(logger: Logger) {
        self.logger = logger
    }

    /// Registers `body` to run in `phase` of `event`.
    @discardableResult
    package func add(
        _ phase: TriggerPhase, _ event: SystemEvent, _ body: @escaping () throws -> (any TriggerCompletion)?
    ) -> SystemEventTrigger {
        nextID += 1
        let triggers = self.triggers(for: event)
        triggers.phases[phase, default: []].append(Trigger(id: nextID, body: body))
        return SystemEventTrigger(id: nextID, phase: phase, event: event)
    }

    /// Removes a trigger that has not run yet.
    package func remove(_ handle: SystemEventTrigger) throws {
        guard let triggers = events[handle.event],
              let index = triggers.phases[handle.phase]?.firstIndex(where: { $0.id == handle.id })
        else { throw UnknownSystemEventTrigger(handle) }
        triggers.phases[handle.phase]?.remove(at: index)
    }

    /// Removes every trigger of every event, releasing their closures.
    package func removeAll() {
        events.removeAll()
    }

    /// True while `event` has run its `before` triggers and waits for their work to complete.
    package func isWaitingForBefore(_ event: SystemEvent) -> Bool {
        events[event]?.isWaitingForBefore ?? false
    }

    /// Fires `event`, then calls `finished` after its last `after` trigger. Firing an event that is
    /// still waiting for its `before` work does nothing (and `finished` is not called).
    package func fire(_ event: SystemEvent, finished: (() -> Void)? = nil) {
        let triggers = self.triggers(for: event)
        guard !triggers.isWaitingForBefore else { return }
        triggers.isWaitingForBefore = true
        var completions: [any TriggerCompletion] = []
        runPhase(.before, of: event, triggers) { completions.append($0) }

        let outstanding = Countdown(completions.count + 1) { [self] in
            triggers.isWaitingForBefore = false
            runPhase(.during, of: event, triggers) { _ in }
            runPhase(.after, of: event, triggers) { _ in }
            finished?()
        }
        for completion in completions {
            completion.whenComplete { outstanding.countDown() }
        }
        outstanding.countDown()
    }

    private func triggers(for event: SystemEvent) -> EventTriggers {
        if let existing = events[event] { return existing }
        let created = EventTriggers()
        events[event] = created
        return created
    }

    /// Pops and runs the phase's triggers one by one, so that a trigger may add or remove others.
    private func runPhase(
        _ phase: TriggerPhase, of event: SystemEvent, _ triggers: EventTriggers,
        collect: (any TriggerCompletion) -> Void
    ) {
        while let trigger = triggers.phases[phase]?.first {
            triggers.phases[phase]?.removeFirst()
            do {
                if let completion = try trigger.body() { collect(completion) }
            } catch {
                logger.error(
                    "error in a system event trigger; the remaining triggers still run",
                    metadata: ["event": "\(event)", "phase": "\(phase)", "error": "\(error)"]
                )
            }
        }
    }
}

/// Calls its action when counted down to zero, once.
private final class Countdown {
    private var remaining: Int
    private var action: (() -> Void)?

    init(_ count: Int, action: @escaping () -> Void) {
        self.remaining = count
        self.action = action
    }

    func countDown() {
        remaining -= 1
        guard remaining == 0, let action else { return }
        self.action = nil
        action()
    }
}
