/// One end of a connection, as a protocol sees it (Twisted's `ITransport` with `ITCPTransport`'s
/// addresses, `IConsumer` and `IPushProducer`).
///
/// **Writes never block and never drop**: they are queued and sent in call order; writes after the
/// connection is gone are ignored. ``loseConnection()`` closes once everything queued has been
/// sent; ``abortConnection()`` closes at once and discards what is queued. Either way the
/// protocol's `connectionLost(reason:)` is called once, later, from the reactor — never from
/// inside the call.
///
/// As a producer, the transport stops and restarts *reading*: ``pauseProducing()`` applies back
/// pressure to the peer. Confined to the reactor thread.
public protocol Transport: PushProducer {
    /// Queues `data` to be sent after everything written before it. Empty data is ignored.
    func write(_ data: ArraySlice<UInt8>)

    /// Queues `chunks` in order, as if each were written with ``write(_:)``.
    func writeSequence(_ chunks: [ArraySlice<UInt8>])

    /// Queues a copy of `bytes`, which need stay valid only for the call: for a frame built in
    /// temporary memory (``NetstringReceiver/sendString(_:)`` builds each small frame on the
    /// stack). Same order and promises as ``write(_:)``. The default copies `bytes` into an
    /// array and calls ``write(_:)`` (so a wrapper that changes what `write` sends changes this
    /// too); a stream connection copies straight into its queue.
    func write(copying bytes: UnsafeRawBufferPointer)

    /// Stops reading, sends everything queued, then closes; the protocol gets ``ConnectionDone``.
    func loseConnection()

    /// Closes now: stops reading and writing, discards what is queued; the protocol gets
    /// ``ConnectionAborted`` on a later loop pass. Calling it again, or after `loseConnection`, is harmless.
    func abortConnection()

    /// This end's address (Twisted's `getHost()`).
    var host: Address { get }

    /// The other end's address (Twisted's `getPeer()`).
    var peer: Address { get }

    /// True once ``loseConnection()`` or ``abortConnection()`` was called, or the connection is gone.
    var isDisconnecting: Bool { get }

    /// Registers a producer to write to this transport: a push producer is paused while too much
    /// is queued and resumed once the queue drains; a pull producer is asked for more each time
    /// the queue empties. On a closed transport the producer is stopped at once instead.
    ///
    /// - Throws: ``ProducerRegistrationError`` if a producer is registered already.
    func registerProducer(_ producer: RegisteredProducer) throws

    /// Removes the registered producer (doing nothing when there is none).
    func unregisterProducer()
}

extension Transport {
    /// Copies `bytes` into an array and queues it with ``write(_:)``.
    public func write(copying bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        write(Array(bytes)[...])
    }

    /// Queues the bytes of `data`.
    public func write(_ data: [UInt8]) {
        write(data[...])
    }

    /// Queues bytes from any sequence, such as `"hello\r\n".utf8`. Text must be encoded by the
    /// caller: a transport carries bytes, never strings (Twisted rejects `str` likewise).
    public func write(_ bytes: some Sequence<UInt8>) {
        write(Array(bytes)[...])
    }
}

/// A transport whose sending side can be shut down on its own (Twisted's `IHalfCloseableDescriptor`
/// as a transport call): TCP and UNIX stream connections, and wrappers over them.
public protocol HalfCloseableTransport: Transport {
    /// Half-closes: sends everything queued, then shuts down the sending side (the peer reads
    /// end-of-file) and calls a ``HalfCloseableProtocol``'s `writeConnectionLost()`. Reading goes
    /// on; later writes are dropped; `loseConnection()` still ends the connection.
    func loseWriteConnection()
}

/// A transport over TCP (Twisted's `ITCPTransport`): the socket options a protocol may tune, and
/// half-close (from ``HalfCloseableTransport``).
public protocol TCPTransport: HalfCloseableTransport {
    /// `TCP_NODELAY`: send small writes at once instead of coalescing them (off by default).
    var noDelay: Bool { get set }

    /// `SO_KEEPALIVE`: probe an idle connection to detect a vanished peer (off by default).
    var keepAlive: Bool { get set }
}

/// A protocol that can live with half a connection (Twisted's `IHalfCloseableProtocol`): when the
/// peer shuts down its sending side, it gets ``readConnectionLost()`` instead of `connectionLost`,
/// and may go on writing. An error thrown from either method is logged and closes the connection.
public protocol HalfCloseableProtocol: AnyObject {
    /// The peer will send nothing more; the connection stays open for writing.
    func readConnectionLost() throws

    /// Our sending side is shut down (after `loseWriteConnection()`), everything queued was sent.
    func writeConnectionLost() throws
}
