/// A UDP port: the datagram engine (``DatagramPort``) over an `AF_INET` or `AF_INET6` socket, with
/// the multicast calls (Twisted's `udp.Port` and `udp.MulticastPort` in one: every UDP port may
/// send to a group, `listenMulticast` ports also share their number). The multicast calls live in
/// `UDPPort+Multicast.swift`; a UNIX datagram port is a plain ``DatagramPort``, so it does not
/// offer them at all.
final class UDPPort: DatagramPort, MulticastTransport {}
