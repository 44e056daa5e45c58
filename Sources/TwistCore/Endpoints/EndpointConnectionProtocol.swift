/// The protocol a client endpoint's connection gets from the reactor (Twisted's
/// `_WrappingProtocol`): it connects the application's protocol to the *real* transport, fires
/// `connect`'s Deferred with it, and from then on forwards every delivery to it unchanged.
///
/// The application's protocol never sees this object: its `transport` is the reactor's transport,
/// and the Deferred fires with the application's protocol. What is forwarded: `dataReceived`,
/// `readDirectly`, `connectionLost` (once; the application's protocol is let go of afterwards)
/// descriptors passed over a UNIX socket (to the application's protocol when it is a
/// ``FileDescriptorReceiver``; closed otherwise), a TLS layer's `handshakeCompleted` (to the
/// application's protocol when it is a ``HandshakeListener``) and the log prefix;
/// ``HalfCloseableEndpointConnectionProtocol`` adds the half-close calls,
/// chosen only when the application's protocol is half-closeable, so that the transport treats
/// both alike.
class EndpointConnectionProtocol: Protocol, FileDescriptorReceiver, HandshakeListener {
    /// The application's protocol; nil once the connection is lost.
    final private(set) var application: Protocol?

    /// The factory holding `connect`'s Deferred, until the connection is made.
    private var owner: EndpointConnectionFactory?

    init(connecting application: Protocol, for owner: EndpointConnectionFactory) {
        self.application = application
        self.owner = owner
        super.init()
    }

    /// Connects this protocol, then the application's protocol to the same transport, then fires
    /// the Deferred with the application's protocol. When the Deferred was cancelled in between,
    /// the connection is closed instead and the application's protocol is never connected.
    override func makeConnection(_ transport: any Transport) {
        super.makeConnection(transport)
        let result = owner?.takeResult()
        owner = nil
        guard let result, let application else {
            application = nil
            transport.abortConnection()
            return
        }
        application.makeConnection(transport)
        try? result.callback(application)
    }

    override final func dataReceived(_ data: ArraySlice<UInt8>) throws {
        try application?.dataReceived(data)
    }

    override final func readDirectly(_ read: (UnsafeMutableRawBufferPointer) -> Int) -> Int? {
        application?.readDirectly(read)
    }

    override final func connectionLost(reason: Failure) {
        application?.deliverConnectionLost(reason: reason)
        application = nil
    }

    final func fileDescriptorReceived(_ descriptor: Int32) {
        Protocol.forwardFileDescriptor(descriptor, to: application, from: self)
    }

    final func handshakeCompleted() throws {
        try (application as? any HandshakeListener)?.handshakeCompleted()
    }

    override var logPrefix: String {
        application?.logPrefix ?? String(describing: type(of: self))
    }
}

/// An ``EndpointConnectionProtocol`` for a half-closeable application protocol: it is itself
/// half-closeable and passes both half-close calls on.
final class HalfCloseableEndpointConnectionProtocol: EndpointConnectionProtocol, HalfCloseableProtocol {
    func readConnectionLost() throws {
        try (application as? any HalfCloseableProtocol)?.readConnectionLost()
    }

    func writeConnectionLost() throws {
        try (application as? any HalfCloseableProtocol)?.writeConnectionLost()
    }
}
