/// ``Service/setName(_:)`` was called on a service that already has a parent (Twisted raises
/// `RuntimeError`).
public struct ServiceNameFrozenError: Error, CustomStringConvertible {
    /// The name the service keeps.
    public let name: String?

    /// A one-line explanation for logs and test output.
    public var description: String {
        "cannot rename service \(name.map { "\"\($0)\"" } ?? "(unnamed)") once it has a parent"
    }
}

/// A ``MultiService`` already has a child with this name (Twisted raises `RuntimeError`).
public struct DuplicateServiceNameError: Error, CustomStringConvertible {
    /// The name that is taken.
    public let name: String

    /// A one-line explanation for logs and test output.
    public var description: String { "a service named \"\(name)\" is already a child of this parent" }
}

/// ``MultiService/service(named:)`` found no child with this name (Twisted raises `KeyError`).
public struct ServiceNotFoundError: Error, CustomStringConvertible {
    /// The name asked for.
    public let name: String

    /// A one-line explanation for logs and test output.
    public var description: String { "no child service named \"\(name)\"" }
}

/// ``MultiService/removeService(_:)`` was given a service that is not its child (Twisted raises
/// `ValueError`).
public struct NotAChildServiceError: Error, CustomStringConvertible {
    /// The service's description.
    public let service: String

    /// A one-line explanation for logs and test output.
    public var description: String { "\(service) is not a child of this service" }
}

/// A child of a ``MultiService`` threw from its start; the children started before it were
/// stopped again, in reverse order, and the parent is not running.
public struct ServiceStartError: Error, CustomStringConvertible {
    /// The child that failed, as its description (class and name).
    public let service: String
    /// What it threw.
    public let underlying: any Error

    /// A one-line explanation for logs and test output.
    public var description: String { "\(service) failed to start: \(underlying)" }
}

/// One or more children of a ``MultiService`` failed to stop cleanly. Every child was still
/// stopped; this lists the ones whose Deferred failed, in stop order.
public struct ServiceStopError: Error, CustomStringConvertible {
    /// Each failed child (its description) with its failure, in the order they were stopped.
    public let failures: [(service: String, failure: Failure)]

    /// A one-line explanation for logs and test output.
    public var description: String {
        "\(failures.count) service(s) failed to stop: "
            + failures.map { "\($0.service): \($0.failure.error)" }.joined(separator: "; ")
    }
}
