internal import Glibc

/// An IP address and port: one end of a TCP connection, or a listening port (Twisted's `IPv4Address` /
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

extension IPAddress {
    /// The address for a numeric IPv4 or IPv6 host (an IPv6 one may be in brackets), in the
    /// kernel's canonical text (`::0001` becomes `::1`); nil when `host` is not numeric.
    public init?(numericHost host: String, port: Int) {
        let unbracketed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr()
        if inet_pton(AF_INET, unbracketed, &v4) == 1 {
            self.init(.ipv4, host: withUnsafeBytes(of: &v4) { Self.text(AF_INET, $0) }, port: port)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, unbracketed, &v6) == 1 {
            self.init(.ipv6, host: withUnsafeBytes(of: &v6) { Self.text(AF_INET6, $0) }, port: port)
            return
        }
        return nil
    }

    /// The kernel's text for a binary IPv4 or IPv6 address.
    private static func text(_ family: Int32, _ raw: UnsafeRawBufferPointer) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        _ = inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self)
    }
}
