/// Every input of a ``race(_:)`` failed: their failures, in input order (Twisted's `FailureGroup`).
public struct FailureGroup: Error, CustomStringConvertible {
    /// One failure per input, in the order the inputs were given.
    public let failures: [Failure]

    /// Creates the error from the inputs' failures.
    public init(failures: [Failure]) {
        self.failures = failures
    }

    /// A one-line explanation of the error, for logs and test output.
    public var description: String {
        "FailureGroup(\(failures.count) failures: \(failures.map(\.description).joined(separator: "; ")))"
    }
}
