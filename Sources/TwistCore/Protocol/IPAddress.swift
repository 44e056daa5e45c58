/// The address of one end of a TCP connection, or of a listening port (Twisted's `IPv4Address` /
/// `IPv6Address` with type "TCP").
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// Which IP version the address belongs to.
    public enum Family: Hashable, Sendable {
        /// IPv4 (`AF_INET`).
        case ipv4
        /// IPv6 (`AF_INET6`).
        case ipv6
    }

    /// The address family.
    public let family: Family
    /// The host as text: a numeric address for a connection's ends and a port's bound address;
    /// for a connector's destination, the host exactly as it was given (possibly a name).
    public let host: String
    /// The port number.
    public let port: Int

    /// An address from its parts.
    public init(_ family: Family, host: String, port: Int) {
        self.family = family
        self.host = host
        self.port = port
    }

    /// An IPv4 address, such as `.ipv4("127.0.0.1", 8000)`.
    public static func ipv4(_ host: String, _ port: Int) -> IPAddress {
        IPAddress(.ipv4, host: host, port: port)
    }

    /// An IPv6 address, such as `.ipv6("::1", 8000)`.
    public static func ipv6(_ host: String, _ port: Int) -> IPAddress {
        IPAddress(.ipv6, host: host, port: port)
    }

    /// `host:port`, with an IPv6 host in brackets: `127.0.0.1:8000`, `[::1]:8000`.
    public var description: String {
        family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
