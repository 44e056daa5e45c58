/// The PROXY protocol header a load balancer (HAProxy, nginx, a cloud load balancer) sends first
/// on a connection it relays: who the client really is, and which address it connected to.
///
/// ``source`` and ``destination`` are nil when the header says to keep the connection's own
/// addresses: a version 1 `UNKNOWN` line, a version 2 `LOCAL` command (the proxy's own health
/// check), or a version 2 `PROXY` command with the unspecified address family.
public struct PROXYHeader: Sendable, Equatable, CustomStringConvertible {
    /// Which version of the PROXY protocol the header was written in.
    public enum Version: Int, Sendable, Equatable {
        /// The human-readable text line, `PROXY TCP4 ... \r\n`.
        case v1 = 1
        /// The binary header, starting with its 12-byte signature.
        case v2 = 2
    }

    /// What the sender asks for.
    public enum Command: Sendable, Equatable {
        /// The connection is relayed for a client; the addresses (when present) are the client's
        /// and the one it connected to. Every version 1 header is one.
        case proxy
        /// The proxy speaks for itself (version 2 only, typically a health check): keep the
        /// connection's own addresses.
        case local
    }

    /// The version the header was written in.
    public var version: Version
    /// The command (always ``Command/proxy`` for version 1).
    public var command: Command
    /// The original client's address; nil to keep the connection's own peer.
    public var source: Address?
    /// The address the client connected to; nil to keep the connection's own host.
    public var destination: Address?

    /// A header made of its parts.
    public init(version: Version, command: Command, source: Address? = nil, destination: Address? = nil) {
        self.version = version
        self.command = command
        self.source = source
        self.destination = destination
    }

    /// `PROXY v1 192.0.2.1:5000 -> 198.51.100.2:80`, `LOCAL v2`, `PROXY v1 (addresses unknown)`.
    public var description: String {
        let name = command == .proxy ? "PROXY" : "LOCAL"
        guard let source, let destination else {
            return command == .proxy ? "\(name) v\(version.rawValue) (addresses unknown)" : "\(name) v\(version.rawValue)"
        }
        return "\(name) v\(version.rawValue) \(source) -> \(destination)"
    }
}
