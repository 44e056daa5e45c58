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
/// **Half-close** (TLS 1.3, which lets a side keep sending after it received close_notify):
/// ``loseWriteConnection()`` sends our close_notify and keeps delivering the peer's data until its
/// close_notify arrives; a peer's close_notify reaches a wrapped `HalfCloseableProtocol` as
/// `readConnectionLost()`, and it may still write until it closes. The TCP connection below stays
/// open both ways meanwhile. Under TLS 1.2 ``loseWriteConnection()`` is ``loseConnection()``.
///
/// **Flow control.** Ciphertext goes straight into the transport below's write queue, so its
/// producer registration, pausing and resuming apply as on plain TCP.
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
            sendPendingWrites()
            membrane?.setPausedByTLS(false)
            if closeWhenDone { closeOrWaitForProducer() }
            return true
        }
    }

    /// Encrypts the writes kept during the handshake, in order (once it has completed; before a
    /// close that `handshakeCompleted()` asked for, too).
    private func sendPendingWrites() {
        guard !pendingWrites.isEmpty else { return }
        let writes = pendingWrites
        pendingWrites = []
        gatheringWrites { for chunk in writes { encrypt(chunk) } }
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
            case .established, .closingAfterProducer, .writeClosed: delivering = true
            case .closing: delivering = false
            case .handshaking, .readClosed, .finished: return
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
                if case .established = phase, engine.isTLS13, let halfCloseable = wrappedProtocol as? any HalfCloseableProtocol {
                    phase = .readClosed
                    notify("readConnectionLost") { try gatheringWrites { try halfCloseable.readConnectionLost() } }
                } else {
                    peerClosed()
                }
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
        case .established, .closingAfterProducer, .writeClosed:
            try gatheringWrites { try wrappedProtocol?.dataReceived(plaintext.bytes[0..<count]) }
        case .handshaking, .closing, .readClosed, .finished:
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
        case .finished(.clean), .closing, .readClosed:
            translated = Failure(ConnectionDone())
        case .finished(.failed(let error)):
            translated = Failure(error)
        case .finished(.aborted):
            translated = reason
        case .handshaking, .established, .closingAfterProducer, .writeClosed:
            if reason.matches(ConnectionDone.self) {
                translated = Failure(ConnectionLost("the connection closed without a TLS close_notify"))
            } else {
                translated = reason
            }
        }
        phase = .finished(.aborted)
        discardGathered()
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
    ///
    /// Writes made inside the wrapped protocol's `dataReceived` (and the parts of one
    /// ``writeSequence(_:)``) are gathered and encrypted when it returns, in records of up to
    /// 16 KiB, so many small writes leave as few records (Twisted's small-write buffering, flushed
    /// at the end of the callback instead of by timer). Order is kept, with
    /// ``loseConnection()`` and ``loseWriteConnection()`` too.
    open override func write(_ data: ArraySlice<UInt8>) {
        guard !data.isEmpty else { return }
        switch phase {
        case .handshaking(let closeWhenDone):
            guard !closeWhenDone || hasProducer else { return }
            pendingWrites.append(data)
            membrane?.setPausedByTLS(true)
        case .established, .closingAfterProducer, .readClosed:
            encrypt(data)
        case .closing, .writeClosed, .finished:
            return
        }
    }

    /// Writes each chunk, in order, as ``write(_:)`` does, gathered into as few records as they fit.
    open override func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        gatheringWrites { for chunk in chunks { write(chunk) } }
    }

    /// Encrypts `bytes` straight from the caller's memory once the handshake has completed (no
    /// copy before the cipher) — or copies them into the gathered writes inside `dataReceived`,
    /// or into the pending writes before the handshake.
    open override func write(copying bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        switch phase {
        case .established, .closingAfterProducer, .readClosed:
            encrypt(bytes)
        case .handshaking, .closing, .writeClosed, .finished:
            write(Array(bytes)[...])
        }
    }

    private func encrypt(_ data: ArraySlice<UInt8>) {
        data.withUnsafeBytes { encrypt($0) }
    }

    private func encrypt(_ bytes: UnsafeRawBufferPointer) {
        if isGathering {
            gather(bytes)
        } else {
            seal(bytes)
        }
    }

    /// Encrypts `bytes` now, as records of up to 16 KiB, while the session may still send.
    private func seal(_ bytes: UnsafeRawBufferPointer) {
        guard let engine else { return }
        switch phase {
        case .established, .closingAfterProducer, .readClosed:
            if case .failed(let error) = engine.write(bytes) { fail(error) }
        case .handshaking, .closing, .writeClosed, .finished:
            return
        }
    }

    // MARK: Gathering small writes

    /// True while this connection gathers its writes (see ``write(_:)``).
    private var isGathering: Bool { plaintext.gatherer == ObjectIdentifier(self) }

    /// Runs `body` with this connection's writes gathered, then encrypts what it gathered. The
    /// gathering memory is the factory's: when another connection holds it (a write to this one
    /// from inside that one's `dataReceived`), or this one already does, `body` just runs.
    private func gatheringWrites<Result>(_ body: () throws -> Result) rethrows -> Result {
        guard plaintext.gatherer == nil else { return try body() }
        plaintext.gatherer = ObjectIdentifier(self)
        defer {
            flushGathered()
            plaintext.gatherer = nil
        }
        return try body()
    }

    /// Adds `bytes` to the gathered plaintext, encrypting each full record's worth as it fills;
    /// a whole record's worth arriving with nothing gathered is encrypted straight from `bytes`.
    private func gather(_ bytes: UnsafeRawBufferPointer) {
        let record = TLSEngine.recordSize
        var rest = bytes[...]
        while !rest.isEmpty, isGathering {
            if plaintext.outgoing.isEmpty, rest.count >= record {
                let whole = rest.count - rest.count % record
                seal(UnsafeRawBufferPointer(rebasing: rest.prefix(whole)))
                rest = rest.dropFirst(whole)
                continue
            }
            let taken = min(record - plaintext.outgoing.count, rest.count)
            plaintext.outgoing.append(contentsOf: rest.prefix(taken))
            rest = rest.dropFirst(taken)
            if plaintext.outgoing.count == record { flushGathered() }
        }
    }

    /// Encrypts the gathered plaintext as one record (swapping in the spare storage meanwhile, so
    /// a failure inside may discard what is gathered without touching the bytes being sealed).
    private func flushGathered() {
        guard isGathering, !plaintext.outgoing.isEmpty else { return }
        var sealing = plaintext.spare
        swap(&sealing, &plaintext.outgoing)
        sealing.withUnsafeBytes { seal($0) }
        sealing.removeAll(keepingCapacity: true)
        plaintext.spare = sealing
    }

    /// Drops what this connection gathered (an abort, a failure).
    private func discardGathered() {
        if isGathering { plaintext.outgoing.removeAll(keepingCapacity: true) }
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
        case .established, .readClosed:
            closeOrWaitForProducer()
        case .writeClosed:
            // Our close_notify is out already: stop delivering and wait for the peer's, in time.
            phase = .closing
            startShutdownTimer()
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
        sendPendingWrites()
        flushGathered()
        switch engine.shutdown() {
        case .complete:
            phase = .finished(.clean)
            transport?.loseConnection()
        case .wantsInput:
            phase = .closing
            startShutdownTimer()
        case .failed(let error):
            fail(error)
        }
    }

    /// Bounds the wait for the peer's close_notify by the context's shutdown timeout.
    private func startShutdownTimer() {
        guard let limit = engine?.context.shutdownTimeout else { return }
        deadline = clock.callLater(limit) { [weak self] in self?.transport?.loseConnection() }
    }

    /// Stops delivering data at once and aborts the connection below. Later calls do nothing.
    open override func abortConnection() {
        if case .finished(.aborted) = phase { return }
        if case .finished(.failed) = phase {} else { phase = .finished(.aborted) }
        cancelDeadline()
        pendingWrites = []
        discardGathered()
        transport?.abortConnection()
    }

    /// Ends the TLS layer with `error`: whatever alert the engine produced is already queued
    /// below; the connection below closes once it is sent.
    private func fail(_ error: TLSError) {
        if case .finished = phase { return }
        phase = .finished(.failed(error))
        cancelDeadline()
        pendingWrites = []
        discardGathered()
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
        case .handshaking(closeWhenDone: false), .established, .readClosed:
            return transport?.isDisconnecting ?? true
        case .handshaking(closeWhenDone: true), .closingAfterProducer, .closing, .writeClosed, .finished:
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

    /// Half-closes the TLS session (TLS 1.3): sends our close_notify after everything written,
    /// tells a wrapped `HalfCloseableProtocol` (`writeConnectionLost()`), and keeps delivering the
    /// peer's data until its close_notify, which ends the connection with ``ConnectionDone``. Later
    /// writes are dropped; the TCP connection below is not half-closed. Under TLS 1.2 (whose
    /// peers answer close_notify by closing), during the handshake, or once the peer's
    /// close_notify arrived, it is ``loseConnection()``. Later calls do nothing.
    open override func loseWriteConnection() {
        guard case .established = phase, let engine, engine.isTLS13, !hasProducer else {
            switch phase {
            case .writeClosed, .closing, .finished: return
            default: return loseConnection()
            }
        }
        sendPendingWrites()
        flushGathered()
        switch engine.shutdown() {
        case .wantsInput:
            phase = .writeClosed
            if let halfCloseable = wrappedProtocol as? any HalfCloseableProtocol {
                notify("writeConnectionLost") { try halfCloseable.writeConnectionLost() }
            }
        case .complete:
            phase = .finished(.clean)
            transport?.loseConnection()
        case .failed(let error):
            fail(error)
        }
    }

    /// Runs one half-close notification of the wrapped protocol; one that throws is logged and
    /// the connection aborted, as for `handshakeCompleted()`.
    private func notify(_ name: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            factory?.logger.error("\(logPrefix): \(name) threw \(error); aborting the connection")
            abortConnection()
        }
    }

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

/// The memory plaintext passes through, shared by the TLS connections of one factory (all on
/// one reactor thread), so an idle connection holds none: decrypted bytes are gathered in
/// ``bytes`` before delivery (a protocol that keeps a delivered slice keeps its own copy — the
/// next read copies on write), and small writes made during a delivery in ``outgoing`` before
/// they are encrypted, by one connection at a time (``gatherer``).
final class TLSPlaintextBuffer {
    /// The decryption memory: 32 KiB.
    var bytes = [UInt8](repeating: 0, count: 32_768)
    /// Plaintext written and not yet encrypted, at most one record (16 KiB).
    var outgoing: [UInt8] = []
    /// The second record's worth of memory, swapped with ``outgoing`` while it is encrypted.
    var spare: [UInt8] = []
    /// The connection gathering into ``outgoing``, if any.
    var gatherer: ObjectIdentifier?
}
