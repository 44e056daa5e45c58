/// A TLS failure: a handshake that failed, a record that did not decrypt, an alert from the peer,
/// a certificate that was rejected (Twisted's `OpenSSL.SSL.Error`). It reaches the protocol's
/// `connectionLost(reason:)` of the one connection it happened on.
///
/// ``reasons`` are OpenSSL's error-queue entries of that connection, in order, drained when the
/// error happened (so one connection's error never leaks into another's); ``verifyResult`` is the
/// X.509 verification result when a certificate was the cause.
open class TLSError: NetworkError, @unchecked Sendable {
    /// OpenSSL's reason texts (`"certificate verify failed"`, `"tlsv1 alert unknown ca"`), oldest
    /// first; empty when the failure was not OpenSSL's own (a timeout, a closed socket).
    public let reasons: [String]

    /// OpenSSL's packed error codes, one per entry of ``reasons``.
    public let codes: [UInt]

    /// The X.509 verification result (`X509_V_ERR_*`, e.g. 18 for a self-signed certificate, 62
    /// for a host-name mismatch) when the peer's certificate was rejected; nil otherwise.
    public let verifyResult: Int32?

    /// An error from OpenSSL's queue entries, with the verification result when there was one.
    /// `detail` defaults to the reasons joined with "; ".
    public init(reasons: [String], codes: [UInt] = [], verifyResult: Int32? = nil, detail: String? = nil) {
        self.reasons = reasons
        self.codes = codes
        self.verifyResult = verifyResult
        super.init(detail ?? (reasons.isEmpty ? nil : reasons.joined(separator: "; ")))
    }

    /// "TLS error".
    open override var summary: String { "TLS error" }
}

/// The peer's certificate chain was valid but not for the name (or IP address) the client asked
/// for: verification results 62 (host name) and 64 (IP address). Twisted reports a
/// `service_identity.VerificationError` here.
public final class CertificateVerificationError: TLSError, @unchecked Sendable {
    /// "the certificate does not match the expected host name or address".
    public override var summary: String { "the certificate does not match the expected host name or address" }
}

/// The TLS handshake did not complete within the limit the TLS layer was given (a peer that
/// connects and then sends nothing, or stops halfway). Twisted has no such limit.
public final class TLSHandshakeTimeoutError: TLSError, @unchecked Sendable {
    /// "the TLS handshake did not complete in time".
    public override var summary: String { "the TLS handshake did not complete in time" }
}
