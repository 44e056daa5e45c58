/// The failure of a `fireOnOneErrback` ``DeferredList`` or of ``gatherResults(_:consumeErrors:)``:
/// the first input that failed, and its position in the input list (Twisted's `defer.FirstError`).
public struct FirstError: Error, CustomStringConvertible {
    /// The failure of the input that failed first.
    public let failure: Failure

    /// That input's index in the list given.
    public let index: Int

    /// Creates the error for the input at `index` that failed with `failure`.
    public init(failure: Failure, index: Int) {
        self.failure = failure
        self.index = index
    }

    /// A one-line explanation of the error, for logs and test output.
    public var description: String { "FirstError[#\(index), \(failure)]" }
}
