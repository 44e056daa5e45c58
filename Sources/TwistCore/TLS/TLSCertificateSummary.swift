/// What a protocol can read of a certificate without OpenSSL: its DER encoding and the names in
/// it. ``TLSTransport/peerCertificate`` hands one out; the value is immutable and `Sendable`.
public struct TLSCertificateSummary: Sendable, Hashable, CustomStringConvertible {
    /// The certificate, DER-encoded (what `openssl x509 -outform der` writes).
    public let der: [UInt8]

    /// The subject, one line, in OpenSSL's RFC 2253 form (`CN=localhost,O=Example`).
    public let subject: String

    /// The issuer, in the same form as ``subject``.
    public let issuer: String

    /// The subjectAltName entries: DNS names as written, IP addresses in their usual text form.
    public let subjectAlternativeNames: [String]

    /// A summary made of its parts (the TLS layer builds these; tests may too).
    public init(der: [UInt8], subject: String, issuer: String, subjectAlternativeNames: [String]) {
        self.der = der
        self.subject = subject
        self.issuer = issuer
        self.subjectAlternativeNames = subjectAlternativeNames
    }

    /// `TLSCertificateSummary(subject: …, issuer: …)`.
    public var description: String { "TLSCertificateSummary(subject: \(subject), issuer: \(issuer))" }
}
