import COpenSSL
import TwistCore

/// Finite-field Diffie-Hellman parameters (a prime and a generator, as `openssl dhparam` writes
/// them) for a server's DHE cipher suites under TLS 1.2 (Twisted's `DiffieHellmanParameters`).
/// Without them a server negotiates only ECDHE (and TLS 1.3's groups), which is what nearly every
/// client prefers anyway. Immutable once loaded, so it is `Sendable`.
public struct TLSDiffieHellmanParameters: Sendable {
    /// The parameters as an `EVP_PKEY`, released with the last copy.
    let storage: OpenSSLReference

    /// The size of the prime, in bits (2048 for `openssl dhparam 2048`).
    public var bits: Int { Int(EVP_PKEY_get_bits(storage.pointer)) }

    /// The first DH parameters block (`BEGIN DH PARAMETERS`) in `pem`.
    ///
    /// - Throws: ``TLSError`` when `pem` holds no DH parameters.
    public init(pem: some Collection<UInt8>) throws {
        storage = try PEMSource.withBIO(Array(pem)) { bio in try Self.read(from: bio, source: "the PEM text") }
    }

    /// The DH parameters in the PEM file at `path` (Twisted's `DiffieHellmanParameters.fromFile`).
    ///
    /// - Throws: ``TLSError`` naming the file when it cannot be read or holds no DH parameters.
    public init(pemFile path: String) throws {
        storage = try PEMSource.withFileBIO(path) { bio in try Self.read(from: bio, source: path) }
    }

    private static func read(from bio: OpaquePointer, source: String) throws -> OpenSSLReference {
        TLSErrorQueue.clear()
        guard let parameters = PEM_read_bio_Parameters(bio, nil) else {
            throw TLSErrorQueue.setupError("no Diffie-Hellman parameters in \(source)")
        }
        guard EVP_PKEY_is_a(parameters, "DH") == 1 else {
            EVP_PKEY_free(parameters)
            throw TLSError(reasons: [], detail: "the parameters in \(source) are not PKCS #3 Diffie-Hellman parameters (BEGIN DH PARAMETERS)")
        }
        return OpenSSLReference(taking: parameters, release: EVP_PKEY_free)
    }
}
