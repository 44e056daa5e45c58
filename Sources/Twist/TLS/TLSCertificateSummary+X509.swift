import COpenSSL
import Glibc
import TwistCore

extension TLSCertificateSummary {
    /// The summary of `x509` (which stays owned by the caller).
    init(x509: OpaquePointer) {
        let length = i2d_X509(x509, nil)
        var der = [UInt8](repeating: 0, count: Int(max(length, 0)))
        if length > 0 {
            der.withUnsafeMutableBufferPointer { buffer in
                var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
                _ = i2d_X509(x509, &cursor)
            }
        }
        self.init(
            der: der,
            subject: Self.rfc2253(X509_get_subject_name(x509)),
            issuer: Self.rfc2253(X509_get_issuer_name(x509)),
            subjectAlternativeNames: Self.alternativeNames(x509)
        )
    }

    /// `name` in RFC 2253 form (`CN=localhost,O=Example`).
    private static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, tw_XN_FLAG_RFC2253()) >= 0 else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let count = tw_BIO_get_mem_data(bio, &data)
        guard let data, count > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }

    /// The DNS and IP entries of the subjectAltName extension, in order.
    private static func alternativeNames(_ x509: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        var result: [String] = []
        for index in 0..<OPENSSL_sk_num(names) {
            guard let entry = OPENSSL_sk_value(names, index)?.assumingMemoryBound(to: GENERAL_NAME.self) else {
                continue
            }
            switch entry.pointee.type {
            case GEN_DNS:
                if let text = entry.pointee.d.dNSName { result.append(String(decoding: asn1Bytes(text), as: UTF8.self)) }
            case GEN_IPADD:
                if let octets = entry.pointee.d.iPAddress { result.append(ipText(asn1Bytes(octets))) }
            default:
                continue
            }
        }
        return result
    }

    private static func asn1Bytes(_ string: UnsafeMutablePointer<ASN1_STRING>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: ASN1_STRING_get0_data(string), count: Int(ASN1_STRING_length(string)))
    }

    /// An IPv4 or IPv6 address in its usual text form (`inet_ntop`'s).
    private static func ipText(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count == 4 || bytes.count == 16 else { return "<\(bytes.count)-byte address>" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, bytes.baseAddress, &text, socklen_t(text.count)) != nil else {
            return "<invalid address>"
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
