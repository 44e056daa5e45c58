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
/// **Bad input.** A malformed header, or a connection that ends before its header is complete,
/// closes the connection at once (`abortConnection`) with one warning line naming the reason,
/// through the factory's logger. The wrapped protocol never started, so it hears nothing: no
/// `connectionMade`, no `connectionLost`.
///
/// Confined to the reactor thread, like every protocol and transport.
open class HAProxyProtocolWrapper: ProtocolWrapper {
    /// The header, once it is complete; nil before.
    public private(set) var header: PROXYHeader?

    /// Reads the header as its bytes arrive.
    private var parser: PROXYHeaderParser

    /// Set when the header was rejected or the connection ended without one (logged already).
    private var rejected = false

    /// A wrapper around `wrappedProtocol` that reads the header with a parser accepting version 2
    /// headers of at most `maximumV2Length` bytes after their fixed part.
    public init(wrapping wrappedProtocol: Protocol, factory: WrappingFactory? = nil, maximumV2Length: Int = 16 * 1024) {
        parser = PROXYHeaderParser(maximumV2Length: maximumV2Length)
        super.init(wrapping: wrappedProtocol, factory: factory)
    }

    /// Does nothing until the header is complete: ``dataReceived(_:)`` connects the wrapped
    /// protocol then.
    open override func connectWrappedProtocol() {}

    /// Before the header is complete, feeds the header parser; at its end, connects the wrapped
    /// protocol and passes it the rest of `data`. After that, passes `data` on.
    open override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        if header != nil {
            try super.dataReceived(data)
            return
        }
        guard !rejected else { return }
        let result: PROXYHeaderParser.Result
        do {
            result = try parser.feed(data)
        } catch {
            reject("\(error)")
            return
        }
        guard case .header(let header, let consumed) = result else { return }
        self.header = header
        super.connectWrappedProtocol()
        let rest = data.dropFirst(consumed)
        if !rest.isEmpty, wrappedProtocol?.isConnected == true {
            try super.dataReceived(rest)
        }
    }

    /// Logs the connection's end when it came before a complete header, then unregisters from
    /// the factory; the wrapped protocol hears `reason` only if it was connected.
    open override func connectionLost(reason: Failure) {
        if header == nil, !rejected {
            rejected = true
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
        rejected = true
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
