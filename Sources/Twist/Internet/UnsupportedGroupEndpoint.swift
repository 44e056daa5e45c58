/// A server endpoint a ``ReactorGroup`` cannot listen on, or not by the strategy asked for (an
/// `SO_REUSEPORT` UNIX socket, say). Thrown synchronously by ``ReactorGroup/listen(_:strategy:factory:)``.
public struct UnsupportedGroupEndpoint: Error, CustomStringConvertible {
    /// The endpoint's description.
    public let endpoint: String
    /// Why the group cannot listen on it.
    public let reason: String

    /// The error for `endpoint`, because of `reason`.
    public init(endpoint: String, reason: String) {
        self.endpoint = endpoint
        self.reason = reason
    }

    /// "a reactor group cannot listen on <endpoint>: <reason>".
    public var description: String {
        "a reactor group cannot listen on \(endpoint): \(reason)"
    }
}
