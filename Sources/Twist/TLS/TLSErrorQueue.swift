import COpenSSL
import TwistCore

/// This thread's OpenSSL error queue, handled the one way the TLS layer needs: cleared before every
/// engine call (a stale entry makes `SSL_get_error` lie) and drained into a ``TLSError`` right
/// after a failure, before any other OpenSSL call (so an error is reported on the connection it
/// happened on, and never leaks into the next one).
enum TLSErrorQueue {
    /// Empties this thread's queue.
    static func clear() {
        ERR_clear_error()
    }

    /// Drains this thread's queue into an error. `verifyResult` is the X.509 verification result
    /// to report (nil when no certificate was judged or it passed); a host-name or IP-address
    /// mismatch becomes a ``CertificateVerificationError``. `fallback` is the text when the queue
    /// was empty.
    static func drain(verifyResult: Int32? = nil, fallback: String = "unknown TLS failure") -> TLSError {
        var reasons: [String] = []
        var codes: [UInt] = []
        while case let code = ERR_get_error(), code != 0 {
            codes.append(code)
            reasons.append(reasonText(code))
        }
        guard let verifyResult else {
            return TLSError(reasons: reasons, codes: codes, detail: reasons.isEmpty ? fallback : nil)
        }
        let verifyText = String(cString: X509_verify_cert_error_string(Int(verifyResult)))
        let detail = (reasons + ["certificate verification: \(verifyText) (\(verifyResult))"]).joined(separator: "; ")
        if verifyResult == X509_V_ERR_HOSTNAME_MISMATCH || verifyResult == X509_V_ERR_IP_ADDRESS_MISMATCH {
            return CertificateVerificationError(reasons: reasons, codes: codes, verifyResult: verifyResult, detail: detail)
        }
        return TLSError(reasons: reasons, codes: codes, verifyResult: verifyResult, detail: detail)
    }

    /// Drains the queue into an error for a failed set-up call (loading a certificate, building a
    /// context): `what` says what was being done.
    static func setupError(_ what: String) -> TLSError {
        let drained = drain(fallback: what)
        let detail = drained.reasons.isEmpty ? what : "\(what): \(drained.reasons.joined(separator: "; "))"
        return TLSError(reasons: drained.reasons, codes: drained.codes, detail: detail)
    }

    /// OpenSSL's reason text for `code` ("certificate verify failed"), or its full error string
    /// when the reason has no text.
    private static func reasonText(_ code: UInt) -> String {
        if let reason = ERR_reason_error_string(code) {
            return String(cString: reason)
        }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
