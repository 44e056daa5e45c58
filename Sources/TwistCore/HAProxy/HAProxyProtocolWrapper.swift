internal import Logging

/// Reads the PROXY protocol header (version 1 or 2) that a load balancer sends first, then
/// carries the connection for the wrapped protocol as if it came straight from the client
/// (Twisted's `twisted.protocols.haproxy`).
///
/// **What it promises.** The wrapped protocol is connected only once the header is complete:
/// its `connectionMade` already sees ``peer`` as the header's source (the client) and ``host`` as
/// its destination. The bytes that arrived with the header's last byte follow in one
/// `dataReceived`, unchanged; later deliveries pass straight through. A header that keeps the
/// real addresses (version 1 `UNKNOWN`, version 2 `LOCAL` or the unspecified family) leaves
/// ``peer`` and ``host`` as the transport below reports them.
///
/// Made by ``HAProxyWrappingFactory/buildProtocol(address:)``, it has no wrapped protocol until
/// the header is complete: it then asks the application's factory with the client's address.
///
/// **Bad input.** A malformed header, a connection that ends before its header is complete, or —
/// with a ``PROXYHeaderTimeout`` — a header not complete within its time, closes the connection
/// at once (`abortConnection`) with one warning line naming the reason, through the factory's
/// logger. The wrapped protocol never started, so it hears nothing: no `connectionMade`, no
/// `connectionLost`. The timer starts when the connection is made and is cancelled when the
/// header is complete or the connection ends, so it never fires on a closed connection.
///
/// Confined to the reactor thread, like every protocol and transport.
open class HAProxyProtocolWrapper: ProtocolWrapper {
    /// Where the connection is: waiting for the header (with its timer, if any, and whether a TLS
    /// layer below has already completed its handshake, to be told to the wrapped protocol once it
    /// is connected), carrying the wrapped protocol after it, or rejected (logged already; nothing
    /// more is read).
    private enum State {
        case awaitingHeader(timer: DelayedCall?, handshakeCompleted: Bool)
        case carrying(PROXYHeader)
        case rejected
    }

    private var state = State.awaitingHeader(timer: nil, handshakeCompleted: false)

    /// Reads the header as its bytes arrive.
    private var parser: PROXYHeaderParser

    /// The time allowed for the header, if limited.
    private let headerTimeout: PROXYHeaderTimeout?

    /// The factory to build the wrapped protocol with once the header is in, when none was given
    /// (``HAProxyWrappingFactory/buildProtocol(address:)``).
    private let builder: Factory?

    /// The header, once it is complete; nil before.
    public var header: PROXYHeader? {
        if case .carrying(let header) = state { return header }
        return nil
    }

    /// A wrapper around `wrappedProtocol` that reads the header with a parser accepting version 2
    /// headers of at most `maximumV2Length` bytes after their fixed part, and aborts the
    /// connection when the header is not complete within `headerTimeout` (no limit when nil).
    public init(
        wrapping wrappedProtocol: Protocol, factory: WrappingFactory? = nil, maximumV2Length: Int = 16 * 1024,
        headerTimeout: PROXYHeaderTimeout? = nil
    ) {
        parser = PROXYHeaderParser(maximumV2Length: maximumV2Length)
        self.headerTimeout = headerTimeout
        builder = nil
        super.init(wrapping: wrappedProtocol, factory: factory)
    }

    /// A wrapper that asks `builder` for the wrapped protocol only once the header is complete,
    /// with the client's address from the header (the connection's real peer when the header
    /// keeps it); a refusal (nil) aborts the connection with a warning.
    init(building builder: Factory, factory: WrappingFactory?, maximumV2Length: Int, headerTimeout: PROXYHeaderTimeout?) {
        parser = PROXYHeaderParser(maximumV2Length: maximumV2Length)
        self.headerTimeout = headerTimeout
        self.builder = builder
        super.init(factory: factory)
    }

    /// The wrapped protocol's prefix, or before it is built the building factory's, followed by
    /// the wrapper's type.
    open override var logPrefix: String {
        if wrappedProtocol == nil, let builder {
            return "\(builder.logPrefix) (\(String(describing: type(of: self))))"
        }
        return super.logPrefix
    }

    /// Starts the header timer, if there is a limit; the wrapped protocol is connected only when
    /// the header is complete (``dataReceived(_:)``).
    open override func connectWrappedProtocol() {
        guard case .awaitingHeader(.none, let handshake) = state, let headerTimeout else { return }
        let timer = headerTimeout.clock.callLater(headerTimeout.seconds) { [weak self] in
            self?.headerTimedOut(after: headerTimeout.seconds)
        }
        state = .awaitingHeader(timer: timer, handshakeCompleted: handshake)
    }

    /// A TLS layer below completed its handshake: passed on once the wrapped protocol is
    /// connected; before the header, remembered and passed on right after its `connectionMade`.
    open override func handshakeCompleted() throws {
        switch state {
        case .carrying: try super.handshakeCompleted()
        case .awaitingHeader(let timer, _): state = .awaitingHeader(timer: timer, handshakeCompleted: true)
        case .rejected: break
        }
    }

    /// The header's time ran out while still waiting for it.
    private func headerTimedOut(after seconds: Double) {
        guard case .awaitingHeader(_, let handshake) = state else { return }
        state = .awaitingHeader(timer: nil, handshakeCompleted: handshake)  // the call running now: nothing to cancel
        let received = parser.bufferedCount
        reject("no complete PROXY header within \(secondsText(seconds)) s (\(received) byte\(received == 1 ? "" : "s") received)")
    }

    /// Leaves the waiting state for `next`, cancelling the header timer.
    private func stopWaiting(_ next: State) {
        if case .awaitingHeader(let timer?, _) = state { try? timer.cancel() }
        state = next
    }

    /// Before the header is complete, feeds the header parser; at its end, connects the wrapped
    /// protocol and passes it the rest of `data`. After that, passes `data` on.
    open override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        switch state {
        case .carrying:
            try super.dataReceived(data)
            return
        case .rejected:
            return
        case .awaitingHeader:
            break
        }
        let result: PROXYHeaderParser.Result
        do {
            result = try parser.feed(data)
        } catch {
            reject("\(error)")
            return
        }
        guard case .header(let header, let consumed) = result else { return }
        let handshakeCompletedBefore = if case .awaitingHeader(_, true) = state { true } else { false }
        if wrappedProtocol == nil, let builder {
            let client = header.source ?? peer
            guard let built = builder.buildProtocol(address: client) else {
                reject("the factory built no protocol for \(client)")
                return
            }
            wrappedProtocol = built
        }
        stopWaiting(.carrying(header))
        super.connectWrappedProtocol()
        if handshakeCompletedBefore, wrappedProtocol?.isConnected == true {
            do {
                try super.handshakeCompleted()
            } catch {
                (factory?.logger ?? Logger(label: "twist.haproxy"))
                    .error("\(logPrefix): handshakeCompleted threw \(error); aborting the connection")
                abortConnection()
                return
            }
        }
        let rest = data.dropFirst(consumed)
        if !rest.isEmpty, wrappedProtocol?.isConnected == true {
            try super.dataReceived(rest)
        }
    }

    /// Logs the connection's end when it came before a complete header, then unregisters from
    /// the factory; the wrapped protocol hears `reason` only if it was connected.
    open override func connectionLost(reason: Failure) {
        if case .awaitingHeader = state {
            stopWaiting(.rejected)
            let received = parser.bufferedCount
            warn("connection closed before a complete PROXY header (\(received) byte\(received == 1 ? "" : "s") received)")
        }
        super.connectionLost(reason: reason)
    }

    /// Before the header is complete, the peer's end of input ends the connection (there is no
    /// header to wait for); after it, as ``ProtocolWrapper/readConnectionLost()``.
    open override func readConnectionLost() throws {
        guard header != nil else {
            abortConnection()
            return
        }
        try super.readConnectionLost()
    }

    /// Passed to the wrapped protocol only once it is connected.
    open override func writeConnectionLost() throws {
        guard header != nil else { return }
        try super.writeConnectionLost()
    }

    /// The header's source (the client) once the header says so; otherwise the transport below's
    /// peer.
    open override var peer: Address {
        header?.source ?? super.peer
    }

    /// The header's destination (where the client connected) once the header says so; otherwise
    /// the transport below's host.
    open override var host: Address {
        header?.destination ?? super.host
    }

    /// Logs `reason` once and closes the connection now.
    private func reject(_ reason: String) {
        stopWaiting(.rejected)
        warn("\(reason); closing the connection")
        abortConnection()
    }

    private func warn(_ message: String) {
        let from = transport.map { " from \($0.peer)" } ?? ""
        (factory?.logger ?? Logger(label: "twist.haproxy")).warning("\(logPrefix)\(from): \(message)")
    }
}

/// The wrapper ``HAProxyWrappingFactory`` builds for a half-closeable protocol.
final class HalfCloseableHAProxyProtocolWrapper: HAProxyProtocolWrapper, HalfCloseableProtocol {}
