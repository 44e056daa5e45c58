/// The capability of a reactor to serve on a listening socket it did not make (Twisted's
/// `IReactorSocket.adoptStreamPort`): a socket inherited from a service manager (systemd socket
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
}
