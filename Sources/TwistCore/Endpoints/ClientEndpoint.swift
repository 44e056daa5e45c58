/// Where and how a client connects, as one value (Twisted's `IStreamClientEndpoint`).
///
/// Confined to the reactor thread, like the reactor it uses.
public protocol ClientEndpoint: AnyObject, CustomStringConvertible {
    /// Connects once, building the protocol with `factory`.
    ///
    /// The Deferred fires with the protocol `factory` built — the application's own object,
    /// talking to the real transport — after its `connectionMade`. It fails with the reactor's
    /// reason when no connection is made (``ConnectionRefusedError``, ``ConnectTimeoutError``,
    /// ...), with ``NoProtocol`` when `factory` builds none, and with ``ConnectingCancelledError``
    /// when it is cancelled before it fires (the attempt is then stopped); cancelling it after it
    /// fired does nothing. `factory` hears `doStart`/`doStop`, but when it is a ``ClientFactory``
    /// it never hears `clientConnectionFailed` or `clientConnectionLost` (so a
    /// ``ReconnectingClientFactory`` does not reconnect through an endpoint).
    func connect(_ factory: Factory) -> Deferred<Protocol>

    /// The endpoint in the description grammar, such as `tcp:example.com:80:timeout=5`.
    var description: String { get }
}
