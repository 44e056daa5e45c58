/// The socket families a stream socket handed to Twist from outside can belong to (the `AF_`
/// constants, by their suffix): what ``ReactorSocketAdoption/adoptStreamPort(_:family:_:)`` and
/// ``AdoptedStreamServerEndpoint`` are told, and what the `systemd:` description's `domain=`
/// names.
///
/// The raw value is the suffix as systemd descriptions and Twisted write it: `INET`, `INET6`,
/// `UNIX`.
public enum AddressFamily: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// IPv4 (`AF_INET`).
    case inet = "INET"
    /// IPv6 (`AF_INET6`).
    case inet6 = "INET6"
    /// UNIX sockets (`AF_UNIX`).
    case unix = "UNIX"

    /// The raw value: `INET`, `INET6` or `UNIX`.
    public var description: String { rawValue }
}
