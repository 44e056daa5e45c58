/// The failure a ``Deferred`` gets when it is cancelled and its canceller did not fire it
/// (Twisted's `defer.CancelledError`).
///
/// The async bridge also maps Swift's `CancellationError` out of a cancelled task to this error, so
/// one `trap(CancelledError.self)` handles both.
public struct CancelledError: Error, Equatable, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A one-line explanation of the error, for logs and test output.
    public var description: String { "the Deferred was cancelled" }
}
