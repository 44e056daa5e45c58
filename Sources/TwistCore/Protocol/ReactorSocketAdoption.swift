/// The capability of a reactor to serve on a socket it did not make (Twisted's `IReactorSocket`:
/// `adoptStreamPort`, `adoptStreamConnection`, `adoptDatagramPort`): a socket inherited from a service manager (systemd socket
/// activation), from a parent process, or made by code the reactor does not know.
public protocol ReactorSocketAdoption: AnyObject {
    /// Serves on the listening stream socket `fileDescriptor`, building a protocol with `factory`
    /// for each connection, as `listenTCP`/`listenUNIX` would.
    ///
    /// The reactor keeps its own duplicate of the descriptor and leaves `fileDescriptor` to the
    /// caller, who should close it (``AdoptedStreamServerEndpoint`` does). The socket is made
    /// non-blocking (a property of the socket, shared by every descriptor of it). Stopping the
    /// returned port closes only the reactor's duplicate; it never removes a UNIX socket's file.
    /// The port's ``ListeningPort/address`` is the socket's real local address.
    ///
    /// - Throws: ``CannotListenError`` when `fileDescriptor` is not a listening stream socket of
    ///   `family` (not a socket, a datagram socket, a socket that does not listen, another
    ///   family) or cannot be duplicated; the detail says which.
    func adoptStreamPort(_ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory) throws -> any ListeningPort

    /// Serves the *connected* stream socket `fileDescriptor` (Twisted's `adoptStreamConnection`):
    /// builds a protocol with `factory` for the socket's peer address and connects it to a normal
    /// transport (a TCP transport for `.inet`/`.inet6`, a UNIX one for `.unix`), whose
    /// `connectionMade` has run when this returns.
    ///
    /// As Twisted does, the reactor works on its own close-on-exec duplicate and leaves
    /// `fileDescriptor` open for the caller to close; closing the transport closes only the
    /// duplicate. The socket is made non-blocking (shared by every descriptor of it). The factory
    /// is asked `buildProtocol(address:)` only — not `doStart`/`doStop`, as in Twisted; when it
    /// returns nil the duplicate is closed and nothing else happens.
    ///
    /// - Throws: ``CannotAdoptError`` when `fileDescriptor` is not an open, connected stream
    ///   socket of `family` (not a socket, a datagram socket, a listening socket, one not
    ///   connected, another family) or cannot be duplicated; the detail says which.
    func adoptStreamConnection(_ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory) throws

    /// Serves the bound datagram socket `fileDescriptor` (Twisted's `adoptDatagramPort`) with
    /// `protocol`, as `listenUDP` (`.inet`, `.inet6`) or `listenUNIXDatagram` (`.unix`) would;
    /// the protocol's `startProtocol()` has run when this returns. A socket connected already
    /// is served connected (`connectedAddress` is its peer).
    ///
    /// The reactor works on its own close-on-exec, non-blocking duplicate and leaves
    /// `fileDescriptor` open for the caller to close; stopping the port closes only the
    /// duplicate (a UNIX socket's file stays). The port's address is the socket's real one. A
    /// UDP socket's port offers the multicast calls, as a `listenUDP` port does.
    ///
    /// - Throws: ``CannotAdoptError`` naming `fileDescriptor` when it is not a bound datagram
    ///   socket of `family` (not a socket, a stream socket, another family, not bound) or cannot
    ///   be duplicated; ``InvalidAddressError`` for a bad size; ``DatagramStateError`` when the
    ///   protocol serves another port.
    func adoptDatagramPort(_ fileDescriptor: Int32, family: AddressFamily, _ protocol: DatagramProtocol, maxPacketSize: Int)
        throws -> any DatagramTransport
}
