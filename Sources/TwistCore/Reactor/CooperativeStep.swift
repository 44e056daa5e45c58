/// What one step of a cooperative task's work says about the task (the Swift spelling of what a
/// Twisted iterator's `next()` does: return a value, return a Deferred, or raise StopIteration).
///
/// A task's work is a closure that does one small unit of work per call and returns a step; a
/// ``Cooperator`` calls it again and again, interleaved with its other tasks, until it returns
/// ``finished``.
public enum CooperativeStep {
    /// One unit of work is done; there is more (Twisted: `next()` returned a value).
    case more
    /// Pause the task until this Deferred fires: a success resumes it, a failure fails it with that
    /// failure (Twisted: `next()` returned a Deferred). The Deferred's result is consumed: nothing
    /// after the task sees it, and a failure is not reported as unhandled.
    case wait(Deferred<Void>)
    /// The work is done; the task finishes successfully (Twisted: `StopIteration`).
    case finished

    /// ``wait(_:)`` for a Deferred of any type: its value is dropped (the task only needs to know
    /// that it arrived). Adds a stage to `deferred`, so keep no other use of that handle.
    public static func wait<Value>(for deferred: Deferred<Value>) -> CooperativeStep {
        .wait(deferred.addCallback { _ in })
    }
}
