/// A callback or errback returned the very ``Deferred`` it was attached to.
///
/// Twisted warns and then waits on itself forever; Twist instead fails the chain with this error
/// (a decided difference), so the mistake shows up as a failure instead of a hang.
public struct DeferredCycleError: Error, Equatable, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A one-line explanation of the error, for logs and test output.
    public var description: String {
        "a callback returned the Deferred it was attached to; a chain cannot wait on itself"
    }
}
