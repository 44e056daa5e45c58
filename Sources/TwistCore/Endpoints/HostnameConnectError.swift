/// Every address a ``HostnameEndpoint`` tried failed: the error names each address with why it
/// failed, so "couldn't connect to example.com:443" comes with the reasons. ``mostRecent`` is the
/// last failure, the one Twisted reports alone.
public final class HostnameConnectError: ConnectError, @unchecked Sendable {
    /// The host and port the endpoint was asked for.
    public let destination: Address
    /// Each address tried, in the order its attempt failed, with its error.
    public let attempts: [(address: IPAddress, error: any Error)]

    /// The error for `destination` after `attempts` (at least one) all failed.
    public init(destination: Address, attempts: [(address: IPAddress, error: any Error)]) {
        self.destination = destination
        self.attempts = attempts
        let tried = attempts.map { "\($0.address) (\($0.error))" }.joined(separator: ", ")
        super.init("\(destination): tried \(tried)")
    }

    /// The error of the attempt that failed last.
    public var mostRecent: (any Error)? { attempts.last?.error }

    /// "couldn't connect to any address of the host".
    public override var summary: String { "couldn't connect to any address of the host" }
}
