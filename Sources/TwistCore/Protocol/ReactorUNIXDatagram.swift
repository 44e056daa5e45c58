/// The UNIX datagram capability of a reactor (Twisted's `IReactorUNIXDatagram`): datagram ports on
/// `AF_UNIX` sockets, served by the same ``DatagramProtocol`` life cycle as UDP.
///
/// Names are given as text, as for ``ReactorUNIX``: a filesystem path (kept as given) or a Linux
/// abstract name with a leading NUL (`"\0name"`, no file). A sender is reported as
/// `Address.unix(...)`: its name, or `UNIXAddress.unnamed` for a socket that never bound (which
/// cannot be answered). The returned port is a plain ``DatagramTransport``: it has no multicast
/// calls, no broadcast, and `connect(host:port:)` throws.
public protocol ReactorUNIXDatagram: AnyObject {
    /// Binds a UNIX datagram socket to `path` and serves it with `protocol`; its `startProtocol()`
    /// has run when this returns.
    ///
    /// The socket file is made with exactly `mode` (the umask does not apply; an abstract name has
    /// no file). Unlike a UNIX stream port, **the file is not removed when the port stops** (as in
    /// Twisted): remove it yourself, or listening on the path again fails.
    ///
    /// - Parameters:
    ///   - maxPacketSize: the longest datagram delivered whole (1 byte to 1 MiB); longer ones are cut.
    /// - Throws: ``CannotListenError`` when anything is at `path` already (a file, a socket, even a
    ///   stale one), the directory is missing, or the name is empty or too long;
    ///   ``InvalidAddressError`` for a bad size; ``DatagramStateError`` when the protocol serves
    ///   another port.
    func listenUNIXDatagram(_ path: String, _ protocol: DatagramProtocol, maxPacketSize: Int, mode: Int) throws
        -> any DatagramTransport

    /// Makes a UNIX datagram socket connected to `path` (bound first to `bindAddress` when given,
    /// so the peer can answer) and serves it with `protocol`: `write(_:)` then sends to `path`,
    /// and only datagrams from `path` arrive.
    ///
    /// A connect that fails — nothing at `path` (`ENOENT`), nothing bound there
    /// (``ConnectionRefusedError``), `bindAddress` taken — does not throw: the protocol's
    /// ``ConnectedDatagramProtocol/connectionFailed(_:)`` is called on a later loop pass, and the
    /// port returned is closed.
    ///
    /// - Throws: ``InvalidAddressError`` for a bad size, ``DatagramStateError`` when the protocol
    ///   serves another port (mistakes in the call, not in the world).
    func connectUNIXDatagram(
        _ path: String, _ protocol: ConnectedDatagramProtocol, maxPacketSize: Int, bindAddress: String?
    ) throws -> any DatagramTransport
}
