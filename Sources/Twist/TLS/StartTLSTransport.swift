public import TwistCore

/// A transport that can switch a live connection to TLS (Twisted's `ITLSTransport`): TCP and
/// UNIX stream connections. For protocols that negotiate TLS in the clear first — SMTP's, IMAP's
/// and XMPP's STARTTLS.
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
    /// Bytes the protocol has received but not yet parsed (a pipelined command after STARTTLS)
    /// stay the protocol's: they were sent in the clear and must not be treated as protected.
    ///
    /// - Throws: ``TLSError`` when the connection is already TLS or closing, or OpenSSL cannot
    ///   create the session.
    func startTLS(_ context: TLSContext, serverName: String?) throws
}

extension StreamConnection: StartTLSTransport {
    /// Puts a ``TLSProtocolWrapper`` between this connection and its protocol; see
    /// ``StartTLSTransport/startTLS(_:serverName:)``.
    final func startTLS(_ context: TLSContext, serverName: String?) throws {
        guard let application = protocolInstance, !state.isDisconnecting else {
            throw TLSError(reasons: [], detail: "cannot start TLS on a connection that is closing")
        }
        guard !(application is TLSProtocolWrapper) else {
            throw TLSError(reasons: [], detail: "TLS is already started on this connection")
        }
        let wrapper = try TLSProtocolWrapper(wrapping: application, context: context, serverName: serverName, clock: reactor)
        protocolInstance = wrapper
        wrapper.makeConnection(self)
    }
}
