public import TwistCore

/// A transport that can switch a live connection to TLS (Twisted's `ITLSTransport`): TCP and
/// UNIX stream connections, and protocol wrappers over them (which pass the call down). For
/// protocols that negotiate TLS in the clear first — SMTP's, IMAP's and XMPP's STARTTLS.
public protocol StartTLSTransport: Transport {
    /// Switches this connection to TLS with `context`, whose role decides this end's (a client
    /// context starts the handshake; with a server context this end waits for the ClientHello).
    /// A client verifies the server as `serverName`.
    ///
    /// Both ends must switch at an agreed point of their protocol. Bytes written before the call
    /// are sent first, in the clear, even if still queued; bytes written after it are encrypted
    /// (kept until the handshake completes). The protocol keeps its connection — no second
    /// `connectionMade` — but its `transport` becomes the TLS layer (a ``TLSTransport``): use
    /// `transport` afresh rather than a reference kept from before. A producer registered before
    /// stays registered and is paused and resumed by the same write queue.
    ///
    /// `leftover` is for bytes the protocol has received but that belong to the TLS stream (the
    /// peer's first TLS bytes, read together with the STARTTLS command): they are fed to the TLS
    /// engine first, before anything read later. If they complete a record of application data
    /// (a TLS 1.3 server's early data), the protocol's `dataReceived` runs during this call.
    /// Received bytes *not* passed here stay the protocol's: they were sent in the clear and must
    /// never be treated as protected.
    ///
    /// - Throws: ``TLSError`` when the connection is already TLS or closing, or OpenSSL cannot
    ///   create the session; what the protocol's `dataReceived` throws while `leftover` is
    ///   delivered.
    func startTLS(_ context: TLSContext, serverName: String?, leftover: ArraySlice<UInt8>) throws
}

extension StartTLSTransport {
    /// Switches to TLS with no leftover bytes; see ``startTLS(_:serverName:leftover:)``.
    public func startTLS(_ context: TLSContext, serverName: String?) throws {
        try startTLS(context, serverName: serverName, leftover: [])
    }
}

extension StreamConnection: StartTLSTransport {
    /// Puts a ``TLSProtocolWrapper`` between this connection and its protocol, then feeds it
    /// `leftover`; see ``StartTLSTransport/startTLS(_:serverName:leftover:)``.
    final func startTLS(_ context: TLSContext, serverName: String?, leftover: ArraySlice<UInt8>) throws {
        guard let application = protocolInstance, !state.isDisconnecting else {
            throw TLSError(reasons: [], detail: "cannot start TLS on a connection that is closing")
        }
        guard !(application is TLSProtocolWrapper) else {
            throw TLSError(reasons: [], detail: "TLS is already started on this connection")
        }
        let wrapper = try TLSProtocolWrapper(wrapping: application, context: context, serverName: serverName, clock: reactor)
        protocolInstance = wrapper
        wrapper.makeConnection(self)
        if !leftover.isEmpty { try wrapper.dataReceived(leftover) }
    }
}

extension ProtocolWrapper: StartTLSTransport {
    /// Starts TLS on the connection below this wrapper (as Twisted's wrappers pass `startTLS`
    /// through): TLS goes underneath, so this wrapper — and the protocol it carries, whose
    /// transport it stays — see plaintext from then on. The TLS details (``TLSTransport``) are on
    /// this wrapper's `transport`. See ``StartTLSTransport/startTLS(_:serverName:leftover:)``.
    ///
    /// - Throws: ``TLSError`` when the transport below cannot start TLS (it is not a TCP or UNIX
    ///   connection, or not one through wrappers), or when it refuses.
    public func startTLS(_ context: TLSContext, serverName: String?, leftover: ArraySlice<UInt8>) throws {
        guard let below = transport as? any StartTLSTransport else {
            throw TLSError(reasons: [], detail: "the transport below cannot start TLS")
        }
        try below.startTLS(context, serverName: serverName, leftover: leftover)
    }
}
