import COpenSSL
import TwistCore

/// A private key loaded into OpenSSL (RSA, ECDSA or Ed25519, from unencrypted PEM). Immutable once
/// loaded, so it is `Sendable`.
public struct TLSPrivateKey: Sendable {
    /// The key's `EVP_PKEY`, released with the last copy.
    let storage: OpenSSLReference

    /// The first private key in `pem` (other blocks, such as certificates, are skipped).
    ///
    /// - Throws: ``TLSError`` when `pem` holds no usable private key (an encrypted one included).
    public init(pem: some Collection<UInt8>) throws {
        let bytes = Array(pem)
        storage = try PEMSource.withBIO(bytes) { bio in try Self.read(from: bio, source: "the PEM text") }
    }

    /// The first private key in the PEM file at `path`.
    ///
    /// - Throws: ``TLSError`` when the file cannot be read or holds no usable private key.
    public init(pemFile path: String) throws {
        storage = try PEMSource.withFileBIO(path) { bio in try Self.read(from: bio, source: path) }
    }

    private static func read(from bio: OpaquePointer, source: String) throws -> OpenSSLReference {
        TLSErrorQueue.clear()
        // A null password callback with a null argument would prompt on the terminal for an
        // encrypted key; an empty password makes such a key fail instead.
        var empty: CChar = 0
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, &empty) else {
            throw TLSErrorQueue.setupError("no usable private key in \(source)")
        }
        return OpenSSLReference(taking: key, release: EVP_PKEY_free)
    }
}

/// Who this end is: a certificate chain (leaf first, then intermediates) and the private key of
/// the leaf. A server always has one; a client has one to answer a server that asks for it.
public struct TLSIdentity: Sendable {
    /// The leaf certificate followed by the intermediates to send with it.
    public let certificateChain: [TLSCertificate]

    /// The leaf's private key.
    public let privateKey: TLSPrivateKey

    /// An identity from a chain and its key; the key is checked against the leaf when a context
    /// is built with it.
    ///
    /// - Precondition: `certificateChain` is not empty.
    public init(certificateChain: [TLSCertificate], privateKey: TLSPrivateKey) {
        precondition(!certificateChain.isEmpty, "a TLS identity needs at least its own certificate")
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }

    /// An identity from PEM files: the certificates of `certificateFile` (leaf first), those of
    /// `extraChainFile` after them when given, and the key in `privateKeyFile` (which may be the
    /// same file as the certificates, as Twisted's `ssl:` strings allow).
    ///
    /// - Throws: ``TLSError`` when a file cannot be read or holds no certificate or key.
    public init(certificateFile: String, privateKeyFile: String, extraChainFile: String? = nil) throws {
        var chain = try TLSCertificate.chain(pemFile: certificateFile)
        if let extraChainFile { chain += try TLSCertificate.chain(pemFile: extraChainFile) }
        self.init(certificateChain: chain, privateKey: try TLSPrivateKey(pemFile: privateKeyFile))
    }
}
