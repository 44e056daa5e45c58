import TwistCore

/// A TLS protocol version, for the range a context accepts.
public enum TLSVersion: Int, Sendable, Comparable, CaseIterable {
    /// TLS 1.2 (RFC 5246): the lowest version Twist accepts by default.
    case tls12 = 0x0303
    /// TLS 1.3 (RFC 8446): preferred whenever both ends have it.
    case tls13 = 0x0304

    /// Orders versions from older to newer.
    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The certificates a peer's chain must lead to.
public enum TLSTrustRoots: Sendable {
    /// The system's trust store: OpenSSL's default verify paths (on Debian the ca-certificates
    /// bundle; `SSL_CERT_FILE` and `SSL_CERT_DIR` override it). Twisted's `platformTrust()`.
    case system
    /// Exactly these certificates (a self-signed peer certificate may be its own anchor).
    case certificates([TLSCertificate])
}

/// How a TLS client checks the server it reached.
public enum TLSServerVerification: Sendable {
    /// The chain must lead to a trust root and the certificate must name the host (or IP address)
    /// the client asked for. The default, and the only safe choice on an open network.
    case full
    /// The chain must lead to a trust root; the name in it is not checked.
    case noHostnameVerification
    /// Nothing is checked: the connection is encrypted, but anyone in the middle can read it.
    /// Only for tests and for peers authenticated some other way.
    case insecureNoVerification
}

/// Whether a TLS server asks its clients for a certificate, and which it accepts.
public enum TLSClientCertificatePolicy: Sendable {
    /// Clients are not asked for a certificate (the usual case).
    case none
    /// Clients are asked; one that sends none is accepted, one that sends a certificate not
    /// leading to `trustRoots` is refused.
    case request(trustRoots: TLSTrustRoots)
    /// Clients must present a certificate leading to `trustRoots`, or the handshake fails (Twisted's
    /// `CertificateOptions(trustRoot=…)`).
    case require(trustRoots: TLSTrustRoots)
}

/// How a TLS server is set up (Twisted's `CertificateOptions` for a server): who it is, whom it
/// asks for a certificate, what it negotiates. Turn it into a ``TLSContext`` once and share that.
public struct TLSServerOptions: Sendable {
    /// The server's certificate chain and key.
    public var identity: TLSIdentity
    /// Whether clients are asked for a certificate (``TLSClientCertificatePolicy/none`` by default).
    public var clientCertificates: TLSClientCertificatePolicy = .none
    /// ALPN names the server accepts, most preferred first; the server picks the first of its own
    /// that the client also offers, and a client offering none of them fails the handshake. Empty
    /// (the default): ALPN is ignored.
    public var acceptableProtocols: [String] = []
    /// The lowest version accepted (TLS 1.2 by default).
    public var minimumVersion: TLSVersion = .tls12
    /// The highest version accepted (nil: the newest OpenSSL has, TLS 1.3).
    public var maximumVersion: TLSVersion?
    /// OpenSSL cipher list for TLS 1.2 and older (nil: ``TLSContext/defaultCipherList``); TLS
    /// 1.3's suites keep OpenSSL's default order.
    public var cipherList: String?
    /// Issue TLS 1.3 session tickets / accept TLS 1.2 ones (off by default, as in Twisted).
    public var enableSessionTickets = false
    /// Diffie-Hellman parameters for the DHE suites of TLS 1.2 (Twisted's `dhParameters`; nil, the
    /// default: no DHE, ECDHE and TLS 1.3's groups only).
    public var dhParameters: TLSDiffieHellmanParameters?
    /// Chooses the context for the server name a client asks for with SNI (Twisted 26's
    /// `contextForServerName`): return a prebuilt server context to use its certificate (and its
    /// other settings) for that connection, or nil to keep this one. Not called when the client
    /// sends no name. Called on the reactor thread, during the handshake: keep it quick.
    public var contextForServerName: (@Sendable (String) -> TLSContext?)?
    /// How long a connection may take to complete its handshake before it is closed with
    /// ``TLSHandshakeTimeoutError`` (seconds; nil: no limit).
    public var handshakeTimeout: Double? = 30
    /// How long to wait for the peer's close_notify after sending ours before closing the socket
    /// anyway (seconds; nil: wait forever, as Twisted does).
    public var shutdownTimeout: Double? = 5

    /// Options for a server that is `identity`; every other setting at its default.
    public init(identity: TLSIdentity) {
        self.identity = identity
    }
}

/// How a TLS client is set up (Twisted's `optionsForClientTLS`, without the host name, which is
/// given per connection): whom it trusts, how strictly it checks, who it is if asked, what it
/// negotiates. Turn it into a ``TLSContext`` once and share that.
public struct TLSClientOptions: Sendable {
    /// The roots the server's chain must lead to (the system's by default).
    public var trustRoots: TLSTrustRoots = .system
    /// How the server is checked (``TLSServerVerification/full`` by default).
    public var verification: TLSServerVerification = .full
    /// The certificate and key to present when the server asks for one.
    public var identity: TLSIdentity?
    /// ALPN names to offer, most preferred first (empty: no ALPN).
    public var acceptableProtocols: [String] = []
    /// The lowest version accepted (TLS 1.2 by default).
    public var minimumVersion: TLSVersion = .tls12
    /// The highest version accepted (nil: TLS 1.3).
    public var maximumVersion: TLSVersion?
    /// OpenSSL cipher list for TLS 1.2 and older (nil: ``TLSContext/defaultCipherList``).
    public var cipherList: String?
    /// How long the handshake may take (seconds; nil: no limit).
    public var handshakeTimeout: Double? = 30
    /// How long to wait for the server's close_notify after sending ours (seconds; nil: forever).
    public var shutdownTimeout: Double? = 5

    /// Options that verify servers against `trustRoots` (the system's by default), with every
    /// other setting at its default.
    public init(trustRoots: TLSTrustRoots = .system) {
        self.trustRoots = trustRoots
    }
}
