/// A ``Deferred`` did not fire within the time given to `addTimeout` and was cancelled
/// (Twisted's `defer.TimeoutError`, raised with the timeout and "Deferred").
public struct TimeoutError: Error, Equatable, CustomStringConvertible {
    /// The timeout that expired, in seconds.
    public let seconds: Double

    /// Creates the error for a timeout of `seconds`.
    public init(seconds: Double) { self.seconds = seconds }

    /// A one-line explanation of the error, for logs and test output.
    public var description: String { "Deferred timed out after \(seconds) seconds" }
}
