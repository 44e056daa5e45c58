import Logging
import TwistCore

/// The one engine of every stream transport: the ``Transport`` a protocol talks through, over a
/// connected ``StreamDescriptor``.
///
/// A transport kind (TCP, UNIX sockets; a child process's pipes use it as it is) subclasses it only for
/// what differs: how the descriptor is opened, its addresses, and its extra calls. Everything a
/// byte stream needs is here, once, in one file per concern:
/// - **reading** (`StreamConnection+Reading`): into the reactor's receive buffer, lent for one
///   delivery, up to the protocol as a slice of it; at most ``maximumReadsPerWakeUp`` reads per
///   readiness so one busy peer cannot starve the others; end of file and half-close.
/// - **writing** (`StreamConnection+Writing`): tried at once when nothing is queued, except
///   inside `dataReceived`, where writes are gathered and flushed with one `writev` as soon as it
///   returns; what the descriptor does not take waits in the ``WriteQueue`` for writability.
/// - **flow control** (`StreamConnection+FlowControl`): the transport as a push producer (its
///   reading side), and a registered push or pull producer driven by the queue's water marks.
/// - **closing** (`StreamConnection+Closing`): `loseConnection` flushes then closes
///   (``ConnectionDone``); `abortConnection` closes on the next pass (``ConnectionAborted``); a
///   read or write error closes with ``ConnectionLost``; an error thrown by `dataReceived` closes
///   with that error. The protocol hears of it from the loop, never from inside its own call.
///
/// Its life is one ``ConnectionState``. After `connectionLost` it holds no reference to the
/// protocol, its producer, or whoever made it. Confined to the reactor thread.
class StreamConnection: IOHandler, Transport {
    /// How many reads one readiness event may do before the loop moves on.
    static let maximumReadsPerWakeUp = 4

    final let host: Address
    final let peer: Address

    // The state below is confined to the reactor thread and never accessed overlappingly, so the
    // hot fields skip the dynamic exclusivity checks (a runtime call per access).
    final let descriptor: StreamDescriptor
    final unowned let loop: ReactorLoop
    final let reactor: Reactor
    /// The reactor's shared buffers (the reactor outlives its connections).
    final unowned(unsafe) let resources: IOResources
    final var watchers: IOWatchers!
    @exclusivity(unchecked) final var state = ConnectionState()
    @exclusivity(unchecked) final var queue = WriteQueue()
    @exclusivity(unchecked) final var producer = WriteProducer.none
    @exclusivity(unchecked) final var protocolInstance: Protocol?
    /// Duplicates queued by a UNIX connection's `sendFileDescriptor`, each waiting for a byte to
    /// carry it (always empty for other kinds).
    @exclusivity(unchecked) final var outgoingDescriptors: [Int32] = []
    /// True when the descriptor passes descriptors and the protocol takes them: its reads then
    /// go only into the receive buffer, so descriptors reach the protocol before any byte of the
    /// read that carried them (see ``receiveWithDescriptors(into:for:ownRegion:)``).
    final let protocolTakesDescriptors: Bool
    /// Told after the protocol's `connectionLost` (a client connector's `clientConnectionLost`).
    final var onClosed: ((Failure) -> Void)?

    /// Wraps a connected, non-blocking descriptor; nothing happens until ``start()``.
    init(
        descriptor: StreamDescriptor, host: Address, peer: Address, protocol: Protocol, reactor: Reactor,
        onClosed: ((Failure) -> Void)? = nil
    ) {
        self.descriptor = descriptor
        self.host = host
        self.peer = peer
        self.reactor = reactor
        self.loop = reactor.core
        self.resources = reactor.ioResources
        self.protocolInstance = `protocol`
        self.protocolTakesDescriptors = descriptor.passesDescriptors && `protocol` is any FileDescriptorReceiver
        self.onClosed = onClosed
        super.init()
        watchers = IOWatchers(fd: descriptor.fd, handler: self, loop: loop.loop)
    }

    /// Registers with the reactor, tells the protocol it is connected, and starts reading.
    final func start() {
        loop.register(self)
        state.start()
        resources.instrumentation?.connectionOpened()
        protocolInstance?.makeConnection(self)
        if state.wantsToRead { watchers.startReading() }
    }

    final var isDisconnecting: Bool { state.isDisconnecting }

    // The reactor's calls; each concern's extension does the work.

    override final func handleReadable() { readUntilDrained() }

    override final func handleWritable() { flushWhenWritable() }

    override final func closeForShutdown() {
        close(reason: Failure(ConnectionLost("the reactor is shutting down")))
    }

    /// Logs an error from the protocol's code that is about to close this connection.
    final func logProtocolError(_ message: Logger.Message, _ receiver: Protocol, _ error: any Error) {
        loop.logger.error(
            message, metadata: ["protocol": "\(receiver.logPrefix)", "peer": "\(peer)", "error": "\(error)"]
        )
    }
}
