public import TwistCore

/// TLS as a protocol wrapper (Twisted's `TLSMemoryBIOProtocol`): to the stream below it is a
/// ``Protocol`` that reads and writes ciphertext; to the protocol it wraps it is a
/// ``TLSTransport`` that reads and writes plaintext. It runs over anything that is a
/// ``Transport`` — TCP, UNIX sockets, another wrapper.
///
/// **Order of events** (Twisted's): the wrapped protocol's `connectionMade` runs as soon as the
/// connection below exists, before the handshake; the handshake starts right after it returns (a
/// client sends its ClientHello then). Writes made before the handshake completes are kept and
/// sent, in order, once it does. A wrapped ``HandshakeListener`` hears `handshakeCompleted()`
/// first, so aborting there guarantees the peer never sees those writes.
///
/// **Closing.** ``loseConnection()`` sends everything written, then close_notify, and closes the
/// connection below when the peer's close_notify arrives — or after the context's shutdown
/// timeout (5 s by default; Twisted waits forever). Called during the handshake with nothing
/// written, it aborts (TLS cannot close mid-handshake); with writes pending, it closes after
/// delivering them. A peer's close_notify is answered and ends the connection with
/// ``ConnectionDone``; the connection below ending without one is ``ConnectionLost`` (a
/// truncation attack looks the same). ``abortConnection()`` stops delivering data at once and
/// aborts the connection below.
///
/// **Errors.** A handshake failure, a bad record, a fatal alert, a rejected certificate or a
/// handshake that takes longer than the context allows: the alert (if any) is sent, the
/// connection below is closed, and the wrapped protocol's `connectionLost` gets the
/// ``TLSError`` (``CertificateVerificationError`` for a name mismatch,
/// ``TLSHandshakeTimeoutError`` for a timeout). Renegotiation is refused.
///
/// **Flow control.** Ciphertext goes straight into the transport below's write queue, so its
/// producer registration, pausing and resuming apply as on plain TCP. Half-close is not offered:
/// ``loseWriteConnection()`` does nothing on a TLS connection (as in Twisted's first versions;
/// TLS 1.3 could map it to close_notify later).
///
/// Confined to the reactor thread.
open class TLSProtocolWrapper: ProtocolWrapper, TLSTransport {
    /// The engine; nil once the connection below is gone (nothing outlives the connection).
    private var engine: TLSEngine?

    /// Where the connection stands.
    private var phase: TLSConnectionPhase = .handshaking(closeWhenDone: false)

    /// Application writes made before the handshake completed, in order.
    private var pendingWrites: [ArraySlice<UInt8>] = []

    /// Schedules the handshake and shutdown limits.
    private let clock: any ReactorTime

    /// The application's push producer's membrane, while one is registered.
    private var membrane: TLSProducerMembrane?

    /// True while the application has a producer registered (push or pull).
    private var hasProducer = false

    /// The handshake limit's call, then the close_notify wait's.
    private var deadline: DelayedCall?

    /// Where decrypted bytes are gathered before they are delivered (shared by the connections of
    /// one factory, all on one thread).
    private let plaintext: TLSPlaintextBuffer

    /// A wrapper that speaks TLS with `context` (its role decides who starts the handshake)
    /// around `wrappedProtocol`. A client checks the server against `serverName` (a DNS name,
    /// also sent as SNI, or an IP address) unless the context relaxes verification. `clock`
    /// times the handshake and the close_notify wait.
    ///
    /// - Throws: ``TLSError`` when OpenSSL cannot create the connection (out of memory, a name it
    ///   refuses).
    public init(
        wrapping wrappedProtocol: Protocol, context: TLSContext, serverName: String? = nil,
        clock: any ReactorTime, factory: WrappingFactory? = nil
    ) throws {
        let engine = try TLSEngine(context: context, serverName: serverName)
        self.engine = engine
        self.clock = clock
        self.plaintext = (factory as? TLSWrappingFactory)?.plaintext ?? TLSPlaintextBuffer()
        super.init(wrapping: wrappedProtocol, factory: factory)
        engine.output = { [unowned self] ciphertext in
            self.transport?.write(copying: ciphertext)
        }
    }

    // MARK: Starting

    /// Connects the wrapped protocol (its `connectionMade` runs now, before the handshake), then
    /// starts the handshake and its time limit. A wrapped protocol that is connected already
    /// (TLS started on a live connection) keeps its connection: it hears no second
    /// `connectionMade`, and this wrapper becomes its transport.
    open override func connectWrappedProtocol() {
        if let wrappedProtocol, wrappedProtocol.isConnected {
            wrappedProtocol.rebindTransport(self)
        } else {
            super.connectWrappedProtocol()
        }
        guard case .handshaking = phase, let engine else { return }
        if let limit = engine.context.handshakeTimeout {
            deadline = clock.callLater(limit) { [weak self] in self?.handshakeTimedOut() }
        }
        advanceHandshake()
    }

    /// A TLS layer *below* this one completed its handshake: not this layer's news. The protocol
    /// above hears this layer's own handshake instead (TLS inside TLS).
    open override func handshakeCompleted() throws {}

    /// Runs the handshake as far as the bytes so far allow; true once it has completed.
    @discardableResult
    private func advanceHandshake() -> Bool {
        guard case .handshaking(let closeWhenDone) = phase, let engine else { return false }
        switch engine.handshake() {
        case .wantsInput:
            return false
        case .failed(let error):
            fail(error)
            return false
        case .complete:
            cancelDeadline()
            phase = .established
            if let listener = wrappedProtocol as? any HandshakeListener {
                do {
                    try listener.handshakeCompleted()
                } catch {
                    factory?.logger.error("\(logPrefix): handshakeCompleted threw \(error); aborting the connection")
                    abortConnection()
                    return false
                }
            }
            guard case .established = phase else { return false }
            let writes = pendingWrites
            pendingWrites = []
            for chunk in writes { encrypt(chunk) }
            membrane?.setPausedByTLS(false)
            if closeWhenDone { closeOrWaitForProducer() }
            return true
        }
    }

    private func handshakeTimedOut() {
        guard case .handshaking = phase else { return }
        let limit = engine?.context.handshakeTimeout ?? 0
        fail(TLSHandshakeTimeoutError(reasons: [], detail: "no complete handshake within \(limit) s"))
    }

    // MARK: Receiving (from the transport below)

    /// Ciphertext arrived: feeds it to the engine, advances the handshake, then delivers what it
    /// decrypts to the wrapped protocol. What the wrapped protocol throws is thrown on, so the
    /// connection below closes with it.
    open override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        guard let engine else { return }
        if case .finished = phase { return }
        try data.withUnsafeBytes { ciphertext in
            try engine.withInput(ciphertext) {
                if case .handshaking = phase, !advanceHandshake() { return }
                try readPlaintext()
            }
        }
    }

    /// Decrypts every complete record buffered in the engine, delivering the plaintext in as few
    /// calls as the gathering buffer allows.
    private func readPlaintext() throws {
        var filled = 0
        while let engine {
            let delivering: Bool
            switch phase {
            case .established, .closingAfterProducer: delivering = true
            case .closing: delivering = false
            case .handshaking, .finished: return
            }
            if filled == plaintext.bytes.count {
                try deliver(filled)
                filled = 0
                continue
            }
            let result = plaintext.bytes.withUnsafeMutableBytes { engine.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            switch result {
            case .bytes(let count):
                if delivering { filled += count }
            case .wantsInput:
                try deliver(filled)
                return
            case .closed:
                try deliver(filled)
                peerClosed()
                return
            case .failed(let error):
                try deliver(filled)
                fail(error)
                return
            }
        }
    }

    /// Hands the first `count` gathered bytes to the wrapped protocol, unless the application
    /// aborted meanwhile.
    private func deliver(_ count: Int) throws {
        guard count > 0 else { return }
        switch phase {
        case .established, .closingAfterProducer:
            try wrappedProtocol?.dataReceived(plaintext.bytes[0..<count])
        case .handshaking, .closing, .finished:
            return
        }
    }

    /// The peer's close_notify arrived: answer it (if ours is not out yet) and close below.
    private func peerClosed() {
        guard let engine else { return }
        if case .failed(let error) = engine.shutdown() {
            fail(error)
            return
        }
        cancelDeadline()
        phase = .finished(.clean)
        transport?.loseConnection()
    }

    /// The connection below is gone: the wrapped protocol hears why, in TLS terms, and the
    /// engine is released.
    open override func connectionLost(reason: Failure) {
        cancelDeadline()
        let translated: Failure
        switch phase {
        case .finished(.clean), .closing:
            translated = Failure(ConnectionDone())
        case .finished(.failed(let error)):
            translated = Failure(error)
        case .finished(.aborted):
            translated = reason
        case .handshaking, .established, .closingAfterProducer:
            if reason.matches(ConnectionDone.self) {
                translated = Failure(ConnectionLost("the connection closed without a TLS close_notify"))
            } else {
                translated = reason
            }
        }
        phase = .finished(.aborted)
        engine = nil
        pendingWrites = []
        membrane = nil
        super.connectionLost(reason: translated)
    }

    // MARK: Sending (from the wrapped protocol)

    /// Encrypts `data` and queues it on the transport below; before the handshake completes it is
    /// kept and sent once it does (a registered push producer is paused meanwhile). Dropped after
    /// ``loseConnection()`` or ``abortConnection()`` — except while a registered producer is
    /// still writing, whose writes are sent before the close.
    open override func write(_ data: ArraySlice<UInt8>) {
        guard !data.isEmpty else { return }
        switch phase {
        case .handshaking(let closeWhenDone):
            guard !closeWhenDone || hasProducer else { return }
            pendingWrites.append(data)
            membrane?.setPausedByTLS(true)
        case .established, .closingAfterProducer:
            encrypt(data)
        case .closing, .finished:
            return
        }
    }

    /// Writes each chunk, in order, as ``write(_:)`` does.
    open override func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { write(chunk) }
    }

    /// Encrypts `bytes` straight from the caller's memory once the handshake has completed (no
    /// copy before the cipher); copies them into the pending writes before.
    open override func write(copying bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        switch phase {
        case .established, .closingAfterProducer:
            encrypt(bytes)
        case .handshaking, .closing, .finished:
            write(Array(bytes)[...])
        }
    }

    private func encrypt(_ data: ArraySlice<UInt8>) {
        data.withUnsafeBytes { encrypt($0) }
    }

    private func encrypt(_ bytes: UnsafeRawBufferPointer) {
        guard let engine else { return }
        if case .failed(let error) = engine.write(bytes) {
            fail(error)
        }
    }

    // MARK: Closing

    /// Closes the TLS session cleanly (see the type's description): everything written is sent,
    /// then close_notify; the connection below closes when the peer answers or the shutdown
    /// timeout passes. With a producer registered, the close waits until it unregisters (its
    /// writes are still sent). Later calls do nothing.
    open override func loseConnection() {
        switch phase {
        case .handshaking(closeWhenDone: false):
            if pendingWrites.isEmpty && !hasProducer {
                // OpenSSL cannot close a session that is not established: end the connection.
                phase = .finished(.aborted)
                cancelDeadline()
                transport?.abortConnection()
            } else {
                phase = .handshaking(closeWhenDone: true)
            }
        case .established:
            closeOrWaitForProducer()
        case .handshaking(closeWhenDone: true), .closingAfterProducer, .closing, .finished:
            return
        }
    }

    /// Begins the shutdown now, or once the registered producer unregisters.
    private func closeOrWaitForProducer() {
        if hasProducer {
            phase = .closingAfterProducer
        } else {
            beginShutdown()
        }
    }

    /// Sends close_notify and waits for the peer's, at most the context's shutdown timeout.
    private func beginShutdown() {
        guard let engine else { return }
        switch engine.shutdown() {
        case .complete:
            phase = .finished(.clean)
            transport?.loseConnection()
        case .wantsInput:
            phase = .closing
            if let limit = engine.context.shutdownTimeout {
                deadline = clock.callLater(limit) { [weak self] in self?.transport?.loseConnection() }
            }
        case .failed(let error):
            fail(error)
        }
    }

    /// Stops delivering data at once and aborts the connection below. Later calls do nothing.
    open override func abortConnection() {
        if case .finished(.aborted) = phase { return }
        if case .finished(.failed) = phase {} else { phase = .finished(.aborted) }
        cancelDeadline()
        pendingWrites = []
        transport?.abortConnection()
    }

    /// Ends the TLS layer with `error`: whatever alert the engine produced is already queued
    /// below; the connection below closes once it is sent.
    private func fail(_ error: TLSError) {
        if case .finished = phase { return }
        phase = .finished(.failed(error))
        cancelDeadline()
        pendingWrites = []
        transport?.loseConnection()
    }

    private func cancelDeadline() {
        if let deadline, deadline.isActive { try? deadline.cancel() }
        deadline = nil
    }

    /// True once ``loseConnection()`` or ``abortConnection()`` was called, the TLS session ended,
    /// or the transport below is disconnecting.
    open override var isDisconnecting: Bool {
        switch phase {
        case .handshaking(closeWhenDone: false), .established:
            return transport?.isDisconnecting ?? true
        case .handshaking(closeWhenDone: true), .closingAfterProducer, .closing, .finished:
            return true
        }
    }

    // MARK: Producers

    /// Registers `producer` for writing to this connection. A push producer is paused and resumed
    /// by the transport below's write queue and, while writes wait for the handshake, by the TLS
    /// layer; it hears a change only when the combination changes. A pull producer is asked for
    /// more by the transport below, as on plain TCP.
    ///
    /// - Throws: ``ProducerRegistrationError`` when a producer is registered already; on a closed
    ///   connection the producer is stopped at once instead (the transport below does it).
    open override func registerProducer(_ producer: RegisteredProducer) throws {
        guard let transport else { throw ProducerRegistrationError("the TLS connection is not connected") }
        if phase.isFinished, engine == nil {
            // The connection is gone.
            producer.producer.stopProducing()
            return
        }
        switch producer {
        case .push(let push):
            let membrane = TLSProducerMembrane(push)
            try transport.registerProducer(.push(membrane))
            self.membrane = membrane
            if case .handshaking = phase, !pendingWrites.isEmpty { membrane.setPausedByTLS(true) }
        case .pull:
            try transport.registerProducer(producer)
        }
        hasProducer = true
    }

    /// Removes the producer; a close that was waiting for it begins now.
    open override func unregisterProducer() {
        transport?.unregisterProducer()
        membrane = nil
        let hadProducer = hasProducer
        hasProducer = false
        if hadProducer, case .closingAfterProducer = phase { beginShutdown() }
    }

    /// Does nothing: a TLS connection is not half-closeable (see the type's description).
    open override func loseWriteConnection() {}

    // MARK: TLSTransport

    /// True once the handshake has completed.
    public var isHandshakeComplete: Bool { engine?.isHandshakeComplete ?? false }

    /// The peer's certificate, once the handshake has completed (nil on a server that did not ask).
    public var peerCertificate: TLSCertificateSummary? {
        isHandshakeComplete ? engine?.peerCertificate : nil
    }

    /// The ALPN protocol agreed on, if any.
    public var negotiatedProtocol: String? { engine?.negotiatedProtocol }

    /// The negotiated TLS version ("TLSv1.3").
    public var protocolVersion: String? { engine?.protocolVersion }

    /// The negotiated cipher suite.
    public var cipherSuite: String? { engine?.cipherSuite }

    /// The server name the client asked for with SNI, as a server saw it (nil on a client, or
    /// when the client sent none — as for an IP address).
    public var requestedServerName: String? { engine?.requestedServerName }

    /// The wrapped protocol's prefix followed by "(TLS)", as Twisted's log prefix.
    open override var logPrefix: String {
        guard let wrappedProtocol else { return "TLS" }
        return "\(wrappedProtocol.logPrefix) (TLS)"
    }
}

/// The memory decrypted bytes are gathered in before delivery: 32 KiB, shared by the TLS
/// connections of one factory (all on one reactor thread), so an idle connection holds none.
/// A protocol that keeps a delivered slice keeps its own copy (the next read copies on write).
final class TLSPlaintextBuffer {
    /// The gathering memory.
    var bytes = [UInt8](repeating: 0, count: 32_768)
}
