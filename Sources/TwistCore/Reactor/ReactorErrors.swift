/// `stop()` was called on a reactor that is not running: it never ran, or it is already stopping
/// or stopped (Twisted's `ReactorNotRunning`).
public struct ReactorNotRunning: Error, Equatable, CustomStringConvertible {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that `stop()` found the reactor not running.
    public var description: String { "the reactor cannot be stopped: it is not running" }
}

/// `run()` was called on a reactor that is already running (Twisted's `ReactorAlreadyRunning`).
public struct ReactorAlreadyRunning: Error, Equatable, CustomStringConvertible {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that `run()` found the reactor already running.
    public var description: String { "the reactor is already running" }
}

/// `run()` was called on a reactor that has already run and stopped. Reactors are single-use, as
/// in Twisted (`ReactorNotRestartable`): make a new one instead.
public struct ReactorNotRestartable: Error, Equatable, CustomStringConvertible {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that the reactor has stopped and that a new one is needed.
    public var description: String { "the reactor has stopped and cannot be run again; create a new reactor" }
}

/// A ``DelayedCall`` was cancelled, reset or delayed after it had already run, or while it was
/// running (Twisted's `twisted.internet.error.AlreadyCalled`).
public struct AlreadyCalled: Error, Equatable, CustomStringConvertible {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that the delayed call has already run.
    public var description: String { "the delayed call has already run" }
}

/// A ``DelayedCall`` was cancelled, reset or delayed after it had been cancelled
/// (Twisted's `twisted.internet.error.AlreadyCancelled`).
public struct AlreadyCancelled: Error, Equatable, CustomStringConvertible {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that the delayed call has already been cancelled.
    public var description: String { "the delayed call has already been cancelled" }
}

/// A system event trigger handle was removed that is not registered: it was never added here,
/// was removed already, or has already run.
public struct UnknownSystemEventTrigger: Error, Equatable, CustomStringConvertible {
    /// The handle that was not found.
    public let trigger: SystemEventTrigger
    /// The error for `trigger`, the handle that was not found.
    public init(_ trigger: SystemEventTrigger) { self.trigger = trigger }
    /// Names the phase, the handle's number and the event of the trigger that was not found.
    public var description: String {
        "no pending \(trigger.phase) trigger #\(trigger.id) for the '\(trigger.event.name)' event"
    }
}
