/// Work was given to a ``ThreadPool`` that has stopped (or is stopping), or was still queued in a
/// pool that was stopped before it ever started. The work did not run.
public struct ThreadPoolStopped: Error, Equatable, CustomStringConvertible {
    /// The pool's name.
    public let poolName: String

    /// Makes the error for the pool named `poolName`.
    public init(poolName: String) {
        self.poolName = poolName
    }

    /// Says which pool refused the work.
    public var description: String { "the thread pool \"\(poolName)\" has stopped; the work did not run" }
}

/// ``ThreadPool/start()`` was called on a pool that has been stopped (Twisted's `AlreadyQuit`):
/// a pool runs once.
public struct ThreadPoolAlreadyQuit: Error, Equatable, CustomStringConvertible {
    /// The error; it carries nothing, so any two are equal.
    public init() {}

    /// Says that a stopped pool cannot start again.
    public var description: String { "the thread pool has stopped and cannot start again" }
}

/// ``Reactor/blockingCallFromThread(_:)`` was called where it could only deadlock or never be
/// answered: on the reactor's own thread, or once the reactor has stopped.
public struct BlockingCallRefused: Error, Equatable, CustomStringConvertible {
    /// Why the call was refused.
    public let reason: String

    /// Makes the error with `reason`.
    public init(_ reason: String) {
        self.reason = reason
    }

    /// The reason.
    public var description: String { "blockingCallFromThread refused: \(reason)" }
}
