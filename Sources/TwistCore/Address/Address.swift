/// Where one end of a connection is, or where a port listens, or where a client is headed: one
/// type for every stream transport (Twisted's `IAddress` providers — `IPv4Address`,
/// `IPv6Address`, `UNIXAddress`, `HostnameAddress` — as one enum).
///
/// `Transport.host`/`peer`, ``Factory/buildProtocol(address:)``, ``ListeningPort/address`` and
/// ``Connector/destination`` all use it, so a protocol written once can serve TCP and UNIX
/// sockets alike and switch on the case only where it cares.
///
/// Equality and hashing compare the values only — never the filesystem, never a TCP/UDP tag
/// (Twisted compares both; see Docs/Endpoints.md for the declared differences).
public enum Address: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 or IPv6 address and port (a TCP connection's ends, a TCP port's bound address).
    case ip(IPAddress)
    /// A UNIX socket's name: a path, a Linux abstract name, or unnamed.
    case unix(UNIXAddress)
    /// A destination still named by host name and port, not yet resolved to an address (a TCP
    /// connector aimed at a name, a `HostnameEndpoint`).
    case hostname(String, port: Int)

    /// The IP address, when this is one.
    public var ip: IPAddress? {
        if case .ip(let address) = self { return address }
        return nil
    }

    /// The UNIX address, when this is one.
    public var unix: UNIXAddress? {
        if case .unix(let address) = self { return address }
        return nil
    }

    /// The port of an IP address or of a host-name destination; nil for a UNIX address.
    public var port: Int? {
        switch self {
        case .ip(let address): address.port
        case .hostname(_, let port): port
        case .unix: nil
        }
    }

    /// An IPv4 address, such as `.ipv4("127.0.0.1", 8000)` (kept from when every address was an
    /// ``IPAddress``, so comparisons such as `transport.peer == .ipv4(host, port)` read the same).
    public static func ipv4(_ host: String, _ port: Int) -> Address {
        .ip(.ipv4(host, port))
    }

    /// An IPv6 address, such as `.ipv6("::1", 8000)`.
    public static func ipv6(_ host: String, _ port: Int) -> Address {
        .ip(.ipv6(host, port))
    }

    /// A UNIX address from text, as ``UNIXAddress/init(_:)`` reads it (a leading NUL names an
    /// abstract socket).
    public static func unix(_ name: String) -> Address {
        .unix(UNIXAddress(name))
    }

    /// `127.0.0.1:8000`, `[::1]:8000`, `unix:/run/app.sock`, `unix:@name`, `unix:(unnamed)`,
    /// `example.com:443`.
    public var description: String {
        switch self {
        case .ip(let address): address.description
        case .unix(let address): address.description
        case .hostname(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

extension Address {
    /// Where a client given `host` and `port` is headed: an IP address when `host` is a numeric
    /// IPv4 or IPv6 address (brackets allowed), otherwise a host name still to resolve.
    public static func destination(host: String, port: Int) -> Address {
        if let numeric = IPAddress(numericHost: host, port: port) { return .ip(numeric) }
        return .hostname(host, port: port)
    }
}
