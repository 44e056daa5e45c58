/// A protocol layered on another protocol (Twisted's `twisted.protocols.policies.ProtocolWrapper`):
/// to the transport below it is a ``Protocol``; to the protocol it wraps it is the ``Transport``.
///
/// ```
/// transport below ──dataReceived──▶ wrapper ──dataReceived──▶ wrapped protocol
/// transport below ◀──write───────── wrapper ◀──write───────── wrapped protocol
/// ```
///
/// **What it promises.** Left as it is, a wrapper changes nothing: every delivery and every call
/// passes through unchanged, one call per delivery. ``makeConnection(_:)`` connects the wrapper,
/// registers it with its ``WrappingFactory`` (if it has one), then connects the wrapped protocol
/// with the wrapper as its `transport`. `dataReceived` and `connectionLost` pass in; `write`,
/// `writeSequence`, `loseConnection`, `abortConnection`, the addresses, producer registration and
/// the transport's own pause/resume/stop pass out. When the connection is lost, the wrapped
/// protocol hears the same reason, the wrapper leaves its factory's ``WrappingFactory/protocols``
/// and lets go of the wrapped protocol, so no reference cycle outlives the connection.
///
/// **Changing what passes.** Subclass it and override what the layer changes: ``dataReceived(_:)``
/// for what comes in, ``write(_:)`` *and* ``writeSequence(_:)`` for what goes out (the default
/// `writeSequence` hands the chunks to the transport below directly, not through `write`, so a
/// wrapper that transforms bytes must override both), ``connectionMade()`` to act before the
/// wrapped protocol is connected. Call `super` to pass on.
///
/// **TCP extras and half-close.** The wrapper is a ``TCPTransport`` so that a protocol that tunes
/// its socket works the same wrapped: ``noDelay``, ``keepAlive`` and ``loseWriteConnection()``
/// reach the transport below when it is a `TCPTransport` (half-close: any
/// ``HalfCloseableTransport``, UNIX sockets included); otherwise the options read `false`,
/// setting them does nothing, and `loseWriteConnection()` does nothing. A plain wrapper is *not* a
/// ``HalfCloseableProtocol``, so a transport treats the peer's end of input as the end of the
/// connection; ``HalfCloseableProtocolWrapper`` is, and passes ``readConnectionLost()`` and
/// ``writeConnectionLost()`` in. ``WrappingFactory`` picks that one when the wrapped protocol is
/// half-closeable.
///
/// **UNIX extras.** The wrapper is also a ``UNIXTransport`` and a ``FileDescriptorReceiver``, so a
/// wrapped protocol on a UNIX socket keeps what it had unwrapped: ``peerCredentials`` and
/// ``sendFileDescriptor(_:)`` reach the transport below when it is a `UNIXTransport` (otherwise
/// nil, and a thrown ``NetworkError``); a descriptor passed by the peer goes to the wrapped
/// protocol when it is a `FileDescriptorReceiver`, and is closed (with a warning) when it is not.
///
/// **TLS below.** The wrapper is a ``HandshakeListener``: when a TLS layer below it completes its
/// handshake, ``handshakeCompleted()`` passes the news to the wrapped protocol when that is a
/// `HandshakeListener` (a wrapper or a TLS-aware protocol), so stacking a policy or `haproxy:`
/// wrapper between TLS and the application does not hide the handshake from it.
///
/// Confined to the reactor thread, like every protocol and transport.
open class ProtocolWrapper: Protocol, TCPTransport, UNIXTransport, FileDescriptorReceiver, HandshakeListener {
    /// The protocol this wrapper carries; nil once the connection is lost (the wrapper lets go of
    /// it then, to break the cycle through the wrapped protocol's `transport`).
    public internal(set) var wrappedProtocol: Protocol?

    /// The factory this wrapper registers with while connected, if any.
    private let wrappingFactory: WrappingFactory?

    /// Set by ``loseConnection()``, ``abortConnection()`` and ``connectionLost(reason:)``.
    private var disconnecting = false

    /// A wrapper around `wrappedProtocol`, not yet connected. With a `factory`, it becomes the
    /// wrapper's ``Protocol/factory`` and the wrapper sits in its ``WrappingFactory/protocols``
    /// while connected.
    public init(wrapping wrappedProtocol: Protocol, factory: WrappingFactory? = nil) {
        self.wrappedProtocol = wrappedProtocol
        self.wrappingFactory = factory
        super.init()
        self.factory = factory
    }

    /// A wrapper that carries no protocol yet: a subclass in this module sets ``wrappedProtocol``
    /// before it calls ``connectWrappedProtocol()`` (the `haproxy:` wrapper builds it once the
    /// header names the client).
    init(factory: WrappingFactory?) {
        self.wrappedProtocol = nil
        self.wrappingFactory = factory
        super.init()
        self.factory = factory
    }

    // MARK: Protocol (to the transport below)

    /// Connects the wrapper to `transport` (running its own ``connectionMade()``), registers it
    /// with its factory, then connects the wrapped protocol to the wrapper
    /// (``connectWrappedProtocol()``).
    open override func makeConnection(_ transport: any Transport) {
        super.makeConnection(transport)
        wrappingFactory?.registerProtocol(self)
        connectWrappedProtocol()
    }

    /// Connects the wrapped protocol with this wrapper as its transport: its `connectionMade`
    /// runs now. ``makeConnection(_:)`` calls it. A wrapper that must read something before the
    /// wrapped protocol starts (a PROXY protocol header) overrides it to do nothing and calls
    /// `super.connectWrappedProtocol()` when ready; until then the wrapped protocol is not
    /// connected, so ``connectionLost(reason:)`` does not reach it either.
    open func connectWrappedProtocol() {
        wrappedProtocol?.makeConnection(self)
    }

    /// Passes `data` to the wrapped protocol; what it throws is thrown on, so the transport below
    /// closes the connection with it as it would for an unwrapped protocol.
    open override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        try wrappedProtocol?.dataReceived(data)
    }

    /// Unregisters from the factory, delivers `reason` to the wrapped protocol (once), then lets
    /// go of it.
    open override func connectionLost(reason: Failure) {
        disconnecting = true
        wrappingFactory?.unregisterProtocol(self)
        wrappedProtocol?.deliverConnectionLost(reason: reason)
        wrappedProtocol = nil
    }

    /// A TLS layer below completed its handshake: passes it to the wrapped protocol when that is a
    /// ``HandshakeListener``; what it throws is thrown on (the TLS layer then logs it and aborts
    /// the connection).
    open func handshakeCompleted() throws {
        try (wrappedProtocol as? any HandshakeListener)?.handshakeCompleted()
    }

    /// The wrapped protocol's prefix followed by the wrapper's type: `Echo (ProtocolWrapper)`
    /// (just the wrapper's type once the wrapped protocol is gone).
    open override var logPrefix: String {
        let own = String(describing: type(of: self))
        guard let wrappedProtocol else { return own }
        return "\(wrappedProtocol.logPrefix) (\(own))"
    }

    // MARK: Half-close (to the transport below, through HalfCloseableProtocolWrapper)

    /// The peer will send nothing more. Passes the news to the wrapped protocol when it is a
    /// ``HalfCloseableProtocol``; otherwise closes the connection gracefully
    /// (``loseConnection()``), so the wrapped protocol still ends with ``ConnectionDone``. A
    /// transport calls it only on a wrapper that is itself half-closeable
    /// (``HalfCloseableProtocolWrapper`` or a subclass declaring the conformance).
    open func readConnectionLost() throws {
        guard let wrappedProtocol else { return }
        if let halfCloseable = wrappedProtocol as? any HalfCloseableProtocol {
            try halfCloseable.readConnectionLost()
        } else {
            loseConnection()
        }
    }

    /// Our sending side is shut down. Passes the news to the wrapped protocol when it is a
    /// ``HalfCloseableProtocol``.
    open func writeConnectionLost() throws {
        try (wrappedProtocol as? any HalfCloseableProtocol)?.writeConnectionLost()
    }

    // MARK: Transport (to the wrapped protocol)

    /// Passes `data` to the transport below.
    open func write(_ data: ArraySlice<UInt8>) {
        transport?.write(data)
    }

    /// Queues a copy of `bytes` through ``write(_:)`` (so a subclass that overrides `write`
    /// changes this too, as the `Transport` default promises). A class method rather than the
    /// protocol's default, so that a wrapper can override it — TLS encrypts straight from the
    /// caller's memory.
    open func write(copying bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        write(Array(bytes)[...])
    }

    /// Passes `chunks` to the transport below's `writeSequence`, not through ``write(_:)``:
    /// override both to change what is sent.
    open func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        transport?.writeSequence(chunks)
    }

    /// Marks the wrapper disconnecting and asks the transport below to close once what is
    /// queued has been sent.
    open func loseConnection() {
        disconnecting = true
        transport?.loseConnection()
    }

    /// Marks the wrapper disconnecting and asks the transport below to close now.
    open func abortConnection() {
        disconnecting = true
        transport?.abortConnection()
    }

    /// The transport below's host address.
    ///
    /// - Precondition: the wrapper is connected (``makeConnection(_:)`` was called).
    open var host: Address { connectedTransport.host }

    /// The transport below's peer address.
    ///
    /// - Precondition: the wrapper is connected (``makeConnection(_:)`` was called).
    open var peer: Address { connectedTransport.peer }

    /// True once the wrapper's own ``loseConnection()`` or ``abortConnection()`` was called,
    /// the connection was lost, or the transport below is disconnecting.
    open var isDisconnecting: Bool {
        disconnecting || (transport?.isDisconnecting ?? false)
    }

    /// Registers `producer` with the transport below (its flow control drives the producer).
    ///
    /// - Throws: what the transport below throws: ``ProducerRegistrationError`` if a producer is
    ///   registered already.
    open func registerProducer(_ producer: RegisteredProducer) throws {
        try transport?.registerProducer(producer)
    }

    /// Unregisters the producer from the transport below.
    open func unregisterProducer() {
        transport?.unregisterProducer()
    }

    /// Pauses the transport below's reading.
    open func pauseProducing() {
        transport?.pauseProducing()
    }

    /// Resumes the transport below's reading.
    open func resumeProducing() {
        transport?.resumeProducing()
    }

    /// Stops the transport below's reading for good.
    open func stopProducing() {
        transport?.stopProducing()
    }

    // MARK: TCPTransport (to the wrapped protocol)

    /// The transport below's `TCP_NODELAY` when it is a ``TCPTransport``; otherwise `false`, and
    /// setting it does nothing.
    open var noDelay: Bool {
        get { (transport as? any TCPTransport)?.noDelay ?? false }
        set { (transport as? any TCPTransport)?.noDelay = newValue }
    }

    /// The transport below's `SO_KEEPALIVE` when it is a ``TCPTransport``; otherwise `false`, and
    /// setting it does nothing.
    open var keepAlive: Bool {
        get { (transport as? any TCPTransport)?.keepAlive ?? false }
        set { (transport as? any TCPTransport)?.keepAlive = newValue }
    }

    /// Half-closes the transport below when it is a ``HalfCloseableTransport`` (TCP or UNIX);
    /// otherwise does nothing.
    open func loseWriteConnection() {
        (transport as? any HalfCloseableTransport)?.loseWriteConnection()
    }

    /// The transport below's peer credentials when it is a ``UNIXTransport``; nil otherwise.
    open var peerCredentials: PeerCredentials? {
        (connectedTransport as? any UNIXTransport)?.peerCredentials
    }

    /// Passes `descriptor` to the transport below when it is a ``UNIXTransport``.
    ///
    /// - Throws: ``NetworkError`` when the transport below cannot pass descriptors.
    open func sendFileDescriptor(_ descriptor: Int32) throws {
        guard let unix = connectedTransport as? any UNIXTransport else {
            throw NetworkError("the transport below cannot pass descriptors")
        }
        try unix.sendFileDescriptor(descriptor)
    }

    /// A descriptor from the peer: to the wrapped protocol when it takes descriptors, closed
    /// otherwise.
    open func fileDescriptorReceived(_ descriptor: Int32) {
        Protocol.forwardFileDescriptor(descriptor, to: wrappedProtocol, from: self)
    }

    private var connectedTransport: any Transport {
        guard let transport else { preconditionFailure("\(logPrefix) used as a transport before makeConnection") }
        return transport
    }
}
