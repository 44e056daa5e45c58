/// Where and how a server listens, as one value (Twisted's `IStreamServerEndpoint`): code that
/// serves takes an endpoint instead of a port number, so the same code can listen on TCP, on a
/// UNIX socket, or on whatever a description string names.
///
/// Confined to the reactor thread, like the reactor it uses.
public protocol ServerEndpoint: AnyObject, CustomStringConvertible {
    /// Starts listening, building a protocol with `factory` for each connection; the factory is
    /// handed to the reactor as it is, not wrapped.
    ///
    /// Never throws: the Deferred fires with the listening port, or fails with why listening was
    /// not possible (``CannotListenError``, ...). The built-in endpoints call the reactor inside
    /// this call, so the Deferred they return has already fired.
    func listen(_ factory: Factory) -> Deferred<any ListeningPort>

    /// The endpoint in the description grammar, such as `tcp:8080:interface=127.0.0.1`.
    var description: String { get }
}
