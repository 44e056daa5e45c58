/// An error about a ``Cooperator`` or one of its ``CooperativeTask``s (Twisted's
/// `task.SchedulerError`): every error below conforms, so `catch let error as any SchedulerError`
/// catches them all.
public protocol SchedulerError: Error, CustomStringConvertible {}

/// A task was asked to pause or stop after it had finished (Twisted's `task.TaskFinished`):
/// ``TaskDone``, ``TaskStopped`` and ``TaskFailed`` conform.
public protocol TaskFinished: SchedulerError {}

/// The task's work ran out: it finished normally (Twisted's `TaskDone`).
public struct TaskDone: TaskFinished, Equatable {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that the task has finished its work.
    public var description: String { "the cooperative task has finished its work" }
}

/// The task was stopped with ``CooperativeTask/stop()``; its ``CooperativeTask/whenDone()``
/// Deferreds fail with this error (Twisted's `TaskStopped`).
public struct TaskStopped: TaskFinished, Equatable {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that the task was stopped.
    public var description: String { "the cooperative task was stopped" }
}

/// The task's work threw, or a Deferred it waited on failed (Twisted's `TaskFailed`). The
/// task's ``CooperativeTask/whenDone()`` Deferreds fail with that failure, not with this error.
public struct TaskFailed: TaskFinished, Equatable {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that the task failed.
    public var description: String { "the cooperative task failed" }
}

/// ``CooperativeTask/resume()`` was called on a task that is not paused (Twisted's `NotPaused`).
public struct NotPaused: SchedulerError, Equatable {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that there was no pause to undo.
    public var description: String { "the cooperative task is not paused" }
}

/// The task's ``Cooperator`` was stopped: its ``CooperativeTask/whenDone()`` Deferreds fail with
/// this error, and so does every task given to the stopped cooperator later (Twisted's
/// `SchedulerStopped`).
public struct SchedulerStopped: SchedulerError, Equatable {
    /// The error; it carries nothing, so any two are equal.
    public init() {}
    /// Says that the cooperator was stopped.
    public var description: String { "the cooperator was stopped" }
}
