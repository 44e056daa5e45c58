/// What a body given to `runInThread { cancellation in … }` checks to learn that the task awaiting
/// it was cancelled, so that cooperative blocking work (a loop over chunks, a retry, a poll) can
/// stop early. A thread cannot be interrupted: a body that never looks runs to its end.
///
/// It only reports; the awaiting task's cancellation is what sets it. Safe from any thread.
public struct ThreadWorkCancellation: Sendable {
    private let cancelled: @Sendable () -> Bool

    /// A token that answers with `isCancelled` (a reactor or a test fake supplies it).
    public init(_ isCancelled: @escaping @Sendable () -> Bool) {
        cancelled = isCancelled
    }

    /// A token that is never cancelled.
    public static let never = ThreadWorkCancellation { false }

    /// True once the task awaiting the work has been cancelled.
    public var isCancelled: Bool { cancelled() }

    /// Throws `CancellationError` once the task awaiting the work has been cancelled.
    public func checkCancellation() throws {
        if cancelled() { throw CancellationError() }
    }
}
