/// `callback` or `errback` was called on a ``Deferred`` that has already fired
/// (Twisted's `defer.AlreadyCalledError`). It is thrown to the second caller; the chain is unaffected.
public struct AlreadyCalledError: Error, Equatable, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A one-line explanation of the error, for logs and test output.
    public var description: String { "the Deferred has already been fired" }
}
