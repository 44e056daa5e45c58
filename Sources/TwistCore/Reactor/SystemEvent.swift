/// A named event whose triggers the reactor fires in three phases: the built-in ``startup`` and
/// ``shutdown``, or one of the program's own.
public struct SystemEvent: Hashable, Sendable, CustomStringConvertible {
    /// The event's name, as Twisted spells it ("startup", "shutdown", ...).
    public let name: String

    /// An event of the program's own, fired with `fireSystemEvent(_:)`.
    public init(_ name: String) { self.name = name }

    /// Fired when the reactor starts running.
    public static let startup = SystemEvent("startup")

    /// Fired when the reactor stops; `run()` returns after its `after` triggers.
    public static let shutdown = SystemEvent("shutdown")

    /// The event's ``name``.
    public var description: String { name }
}

/// The three phases of a ``SystemEvent``, run in this order.
public enum TriggerPhase: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Runs first; a trigger in this phase may return a ``TriggerCompletion`` that holds back
    /// the later phases until it completes.
    case before
    /// Runs once every `before` completion has completed.
    case during
    /// Runs last.
    case after

    /// The phase's name: "before", "during" or "after".
    public var description: String { rawValue }
}

/// The handle of a registered trigger, for removing it again.
public struct SystemEventTrigger: Hashable, Sendable {
    /// The trigger's identity within the reactor that registered it.
    public let id: UInt64
    /// The phase it runs in.
    public let phase: TriggerPhase
    /// The event it belongs to.
    public let event: SystemEvent

    package init(id: UInt64, phase: TriggerPhase, event: SystemEvent) {
        self.id = id
        self.phase = phase
        self.event = event
    }
}

/// Work that a `before` trigger started and that the event waits for, as a Deferred returned by a
/// Twisted `before` trigger does. `Deferred` conforms; ``TriggerCompletionSource`` is a hand-made one.
public protocol TriggerCompletion {
    /// Calls `body` once the work is done: at once if it is done already.
    func whenComplete(_ body: @escaping () -> Void)
}

/// A one-shot ``TriggerCompletion`` completed by hand: return it from a `before` trigger, and call
/// ``complete()`` when the work it stands for is done. Confined to the reactor thread.
public final class TriggerCompletionSource: TriggerCompletion {
    private var waiters: [() -> Void] = []

    /// True once ``complete()`` has been called.
    public private(set) var isComplete = false

    /// Creates a completion that is not yet complete.
    public init() {}

    /// Marks the work done and runs everything waiting on it; later calls do nothing.
    public func complete() {
        guard !isComplete else { return }
        isComplete = true
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter() }
    }

    /// Runs `body` now if ``complete()`` was called, else once it is, after the bodies added before
    /// it; each body runs exactly once.
    public func whenComplete(_ body: @escaping () -> Void) {
        if isComplete { body() } else { waiters.append(body) }
    }
}
