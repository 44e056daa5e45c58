import Glibc
import TwistCore

/// What kind of datagram socket a ``DatagramPort`` serves: UDP over IPv4 or IPv6, or a UNIX
/// datagram socket. The engine — batched reads, writes, the life cycle — is the same for each;
/// the kind answers the questions that depend on the family: which addresses a write may go to,
/// how a sender's address reads, how long a datagram may be, what a refusal means.
enum DatagramSocketKind {
    /// UDP: `AF_INET` or `AF_INET6`.
    case udp(family: Int32)
    /// `AF_UNIX`, `SOCK_DGRAM`.
    case unix

    /// The kind of a socket of `family` (`AF_INET`, `AF_INET6` or `AF_UNIX`).
    init(family: Int32) {
        self = family == AF_UNIX ? .unix : .udp(family: family)
    }

    /// The `AF_` constant of the socket.
    var family: Int32 {
        switch self {
        case .udp(let family): family
        case .unix: AF_UNIX
        }
    }

    /// The name log lines give the port: "UDP" or "UNIX datagram".
    var logName: String {
        switch self {
        case .udp: "UDP"
        case .unix: "UNIX datagram"
        }
    }

    /// The port's address as log lines show it: the port number for UDP (as Twisted logs it),
    /// the name for a UNIX socket.
    func logDescription(of address: Address) -> String {
        switch self {
        case .udp: "\(address.port ?? 0)"
        case .unix: "\(address)"
        }
    }

    /// The largest `maxPacketSize` a port of this kind takes: a UDP datagram carries at most
    /// 65,535 bytes; a UNIX datagram is bounded by the socket's send buffer instead (a few
    /// hundred KiB by default), so 1 MiB is allowed.
    var largestPacketSize: Int {
        switch self {
        case .udp: 65_535
        case .unix: 1 << 20
        }
    }

    /// The most payload one datagram of this kind carries when it is known without asking the
    /// kernel (UDP on loopback: 65,507 bytes over IPv4, 65,527 over IPv6); nil for a UNIX socket,
    /// whose bound is its send buffer (the kernel answers `EMSGSIZE`).
    var largestDatagram: Int? {
        switch self {
        case .udp(let family): family == AF_INET6 ? 65_527 : 65_507
        case .unix: nil
        }
    }

    /// Whether `ECONNREFUSED` from a send on an *unconnected* socket is news about an earlier
    /// datagram (UDP: an ICMP error left on the socket, ignored as Twisted does) rather than
    /// about this one (UNIX: nobody is bound at that name; the send fails).
    var refusalConcernsEarlierDatagram: Bool {
        switch self {
        case .udp: true
        case .unix: false
        }
    }

    /// The address of a sender or peer as the kernel reported it: an ``IPAddress`` with a
    /// numeric host, or a UNIX name (``UNIXAddress/unnamed`` for a socket that never bound).
    func address(of system: SystemAddress) -> Address {
        switch self {
        case .udp: .ip(system.ipAddress)
        case .unix: .unix(system.unixAddress)
        }
    }

    /// The kernel's form of `address` as a destination for this kind: a numeric IP address of
    /// the port's family (`<broadcast>` standing for 255.255.255.255, as in Twisted), or a named
    /// UNIX socket (a path or an abstract name).
    ///
    /// - Throws: ``InvalidAddressError`` saying what is wrong with it.
    func destination(_ address: Address) throws -> SystemAddress {
        switch self {
        case .udp(let family): try Self.udpDestination(address, family: family)
        case .unix: try Self.unixDestination(address)
        }
    }

    private static func udpDestination(_ address: Address, family: Int32) throws -> SystemAddress {
        guard case .ip(let ip) = address else {
            throw InvalidAddressError("\(address): a UDP port sends to numeric IP addresses only")
        }
        guard (0...65_535).contains(ip.port) else { throw InvalidAddressError("port \(ip.port) is out of range") }
        let host = ip.host == "<broadcast>" ? "255.255.255.255" : ip.host
        guard !host.isEmpty, let target = SystemAddress(numericHost: host, port: ip.port) else {
            throw InvalidAddressError("\"\(ip.host)\" is not a numeric IP address (resolve host names first)")
        }
        guard target.family == family else {
            let want = family == AF_INET6 ? "IPv6" : "IPv4"
            throw InvalidAddressError("\(ip.host) is not an \(want) address, and this is an \(want) port")
        }
        return target
    }

    private static func unixDestination(_ address: Address) throws -> SystemAddress {
        guard case .unix(let name) = address else {
            throw InvalidAddressError("\(address): a UNIX datagram port sends to UNIX socket names only")
        }
        if case .unnamed = name.name {
            throw InvalidAddressError("an unnamed UNIX socket cannot be written to (the sender never bound a name)")
        }
        guard let target = SystemAddress(unix: name) else {
            throw InvalidAddressError("\(name): \(SystemAddress.unixNameProblem(name))")
        }
        return target
    }
}
