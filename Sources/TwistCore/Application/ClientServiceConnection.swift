/// The protocol a ``ClientService`` hands to its endpoint for each connection (Twisted's
/// `_ReconnectingProtocolProxy`): it carries the application's protocol, connects it to the
/// *real* transport, forwards every delivery to it unchanged, and tells the service when the
/// connection is gone, which is how the service knows to reconnect.
///
/// It tells the service twice: once connected (after the application's `connectionMade`), so
/// that a connection the service no longer wants is closed even when the endpoint cannot report
/// it, and once lost.
///
/// The application's protocol never sees this object: its `transport` is the reactor's transport,
/// and ``ClientService/whenConnected(failAfterFailures:)`` gives out the application's protocol.
/// What is forwarded: `dataReceived`, `readDirectly`, `connectionLost` (to the application first,
/// then to the service), descriptors passed over a UNIX socket (to the application's protocol
/// when it is a ``FileDescriptorReceiver``; closed otherwise) and the log prefix;
/// ``HalfCloseableClientServiceConnection`` adds the half-close calls, chosen only when the
/// application's protocol is half-closeable, so that the transport treats both alike.
class ClientServiceConnection: Protocol, FileDescriptorReceiver {
    /// The application's protocol, built by the application's factory. Kept after the connection
    /// is lost (the transport lets go of this object then, so no cycle remains).
    final let application: Protocol

    /// What to tell the service.
    private let observer: ClientServiceConnectionObserver

    init(carrying application: Protocol, observer: ClientServiceConnectionObserver) {
        self.application = application
        self.observer = observer
        super.init()
    }

    /// Connects this protocol, then the application's protocol to the same transport (its
    /// `connectionMade` runs now), then tells the service.
    override func makeConnection(_ transport: any Transport) {
        super.makeConnection(transport)
        application.makeConnection(transport)
        observer.made(self)
    }

    override final func dataReceived(_ data: ArraySlice<UInt8>) throws {
        try application.dataReceived(data)
    }

    override final func readDirectly(_ read: (UnsafeMutableRawBufferPointer) -> Int) -> Int? {
        application.readDirectly(read)
    }

    override final func connectionLost(reason: Failure) {
        application.deliverConnectionLost(reason: reason)
        observer.lost(self, reason)
    }

    final func fileDescriptorReceived(_ descriptor: Int32) {
        Protocol.forwardFileDescriptor(descriptor, to: application, from: self)
    }

    override var logPrefix: String {
        application.logPrefix
    }
}

/// A ``ClientServiceConnection`` for a half-closeable application protocol: it is itself
/// half-closeable and passes both half-close calls on.
final class HalfCloseableClientServiceConnection: ClientServiceConnection, HalfCloseableProtocol {
    func readConnectionLost() throws {
        try (application as? any HalfCloseableProtocol)?.readConnectionLost()
    }

    func writeConnectionLost() throws {
        try (application as? any HalfCloseableProtocol)?.writeConnectionLost()
    }
}
