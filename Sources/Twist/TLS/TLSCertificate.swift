import COpenSSL
public import TwistCore

/// An X.509 certificate loaded into OpenSSL: a server's or client's own certificate (and its
/// chain), or a trust anchor. Immutable once loaded, so it is `Sendable` and may be shared by
/// contexts on any thread (OpenSSL counts its references).
public struct TLSCertificate: Sendable, CustomStringConvertible {
    /// The certificate's `X509`, released with the last copy.
    let storage: OpenSSLReference

    init(taking x509: OpaquePointer) {
        storage = OpenSSLReference(taking: x509, release: X509_free)
    }

    /// The first certificate in `pem` (PEM text; other blocks, such as a private key, are skipped).
    ///
    /// - Throws: ``TLSError`` when `pem` holds no certificate.
    public init(pem: some Collection<UInt8>) throws {
        guard let first = try Self.chain(pem: pem).first else {
            throw TLSError(reasons: [], detail: "no certificate in the PEM text")
        }
        self = first
    }

    /// Every certificate in `pem`, in order: a leaf followed by its intermediates, or a bundle of
    /// trust anchors. Blocks of other kinds (a private key) are skipped.
    ///
    /// - Throws: ``TLSError`` when `pem` holds no certificate or a certificate block is malformed.
    public static func chain(pem: some Collection<UInt8>) throws -> [TLSCertificate] {
        let bytes = Array(pem)
        return try PEMSource.withBIO(bytes) { bio in try readAll(from: bio, source: "the PEM text") }
    }

    /// Every certificate in the PEM file at `path`, in order (see ``chain(pem:)``).
    ///
    /// - Throws: ``TLSError`` when the file cannot be read or holds no certificate.
    public static func chain(pemFile path: String) throws -> [TLSCertificate] {
        try PEMSource.withFileBIO(path) { bio in try readAll(from: bio, source: path) }
    }

    /// Every certificate in every `*.pem` file of `directory` that holds any (Twisted's
    /// `caCertsDir` and `trustRoots=` loader: files that do not parse are skipped).
    ///
    /// - Throws: ``TLSError`` when the directory cannot be read or yields no certificate at all.
    public static func all(inPEMDirectory directory: String) throws -> [TLSCertificate] {
        var certificates: [TLSCertificate] = []
        for path in try PEMSource.pemFiles(in: directory) {
            if let found = try? chain(pemFile: path) { certificates += found }
        }
        guard !certificates.isEmpty else {
            throw TLSError(reasons: [], detail: "no certificate in any *.pem file of \(directory)")
        }
        return certificates
    }

    /// Reads certificates from `bio` until it has no more.
    private static func readAll(from bio: OpaquePointer, source: String) throws -> [TLSCertificate] {
        TLSErrorQueue.clear()
        var certificates: [TLSCertificate] = []
        while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) {
            certificates.append(TLSCertificate(taking: x509))
        }
        // The loop ends on "no start line" (the end of the input): expected once some were read.
        let lastReason = ERR_GET_REASON(ERR_peek_last_error())
        if lastReason != PEM_R_NO_START_LINE || certificates.isEmpty {
            let what = certificates.isEmpty ? "no certificate in \(source)" : "a malformed certificate in \(source)"
            throw TLSErrorQueue.setupError(what)
        }
        TLSErrorQueue.clear()
        return certificates
    }

    /// The certificate's DER encoding, subject, issuer and subjectAltName entries.
    public var summary: TLSCertificateSummary {
        TLSCertificateSummary(x509: storage.pointer)
    }

    /// `TLSCertificate(subject: …)`.
    public var description: String { "TLSCertificate(subject: \(summary.subject))" }
}
