/// A transport that carries its bytes over TLS (Twisted's `ISSLTransport`): what the handshake
/// established, readable by the protocol above it.
///
/// Every property is nil (or false) until the handshake completes; a protocol that needs them as
/// soon as they exist is a ``HandshakeListener``. Confined to the reactor thread.
public protocol TLSTransport: Transport {
    /// True once the TLS handshake has completed (and stays true afterwards).
    var isHandshakeComplete: Bool { get }

    /// The certificate the peer presented, once the handshake completed; nil before, and nil on a
    /// server that did not ask its clients for one (Twisted's `getPeerCertificate()`).
    var peerCertificate: TLSCertificateSummary? { get }

    /// The application protocol both ends agreed on with ALPN (`"h2"`, `"http/1.1"`), or nil when
    /// none was negotiated (Twisted's `negotiatedProtocol`).
    var negotiatedProtocol: String? { get }

    /// The protocol version in OpenSSL's words (`"TLSv1.3"`), once the handshake completed.
    var protocolVersion: String? { get }

    /// The cipher suite in use (`"TLS_AES_256_GCM_SHA384"`), once the handshake completed.
    var cipherSuite: String? { get }
}

/// A protocol that wants to know when the TLS handshake below it completes (Twisted's
/// `IHandshakeListener`). Its `connectionMade` runs as soon as the connection exists, before the
/// handshake; ``handshakeCompleted()`` runs once, when the peer is authenticated and
/// ``TLSTransport/peerCertificate`` is set. An error it throws is logged and aborts the connection.
public protocol HandshakeListener: AnyObject {
    /// The handshake completed; the transport's TLS properties are now set.
    func handshakeCompleted() throws
}
