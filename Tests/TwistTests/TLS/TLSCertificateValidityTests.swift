import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// Certificates outside their validity period, on both sides: the engine in memory, with
/// certificates dated by `openssl ca` at test time (``TestCertificates``).
@Suite struct TLSCertificateValidityTests {
    /// A server context presenting `certificate`/`key` (signed by the test CA).
    private func server(_ certificate: String, _ key: String) throws -> TLSContext {
        try TLSContext(TLSServerOptions(identity: try TLSIdentity(certificateFile: certificate, privateKeyFile: key)))
    }

    @Test func aClientRefusesAnExpiredServerCertificate() throws {
        let certificates = try TestCertificates.shared()
        let tls = try TLSMemoryPair(
            server: TLSRecorder(greeting: "secret"), client: TLSRecorder(greeting: "secret"),
            serverContext: try server(certificates.expiredCertificate, certificates.expiredKey)
        )
        tls.flush()
        let clientError = try #require(tls.client.reason?.check(TLSError.self))
        #expect(!(clientError is CertificateVerificationError), "the name matches; the dates do not")
        #expect(clientError.verifyResult == 10)  // X509_V_ERR_CERT_HAS_EXPIRED
        #expect(clientError.reasons.contains("certificate verify failed"))
        #expect(clientError.detail?.contains("certificate has expired") == true, "\(clientError)")
        let serverError = try #require(tls.server.reason?.check(TLSError.self))
        #expect(serverError.reasons.contains { $0.contains("certificate expired") }, "\(serverError.reasons)")
        #expect(tls.client.events == ["connectionMade", "connectionLost"])
        #expect(tls.client.received.isEmpty && tls.server.received.isEmpty)
    }

    @Test func aClientRefusesANotYetValidServerCertificate() throws {
        let certificates = try TestCertificates.shared()
        let tls = try TLSMemoryPair(serverContext: try server(certificates.notYetValidCertificate, certificates.notYetValidKey))
        tls.flush()
        let clientError = try #require(tls.client.reason?.check(TLSError.self))
        #expect(clientError.verifyResult == 9)  // X509_V_ERR_CERT_NOT_YET_VALID
        #expect(clientError.detail?.contains("certificate is not yet valid") == true, "\(clientError)")
        #expect(tls.server.reason?.check(TLSError.self) != nil)
        #expect(tls.client.events == ["connectionMade", "connectionLost"])
    }

    @Test func aServerRequiringCertificatesRefusesAnExpiredClientCertificate() throws {
        let certificates = try TestCertificates.shared()
        let serverContext = try TLSTestContexts.server {
            $0.clientCertificates = .require(trustRoots: .certificates(try TLSCertificate.chain(pemFile: certificates.caCertificate)))
        }
        let clientContext = try TLSTestContexts.client {
            $0.identity = try TLSIdentity(certificateFile: certificates.expiredClientCertificate, privateKeyFile: certificates.expiredClientKey)
        }
        let tls = try TLSMemoryPair(
            server: TLSRecorder(greeting: "secret"), client: TLSRecorder(greeting: "secret"),
            serverContext: serverContext, clientContext: clientContext
        )
        tls.flush()
        let serverError = try #require(tls.server.reason?.check(TLSError.self))
        #expect(serverError.verifyResult == 10)
        #expect(serverError.detail?.contains("certificate has expired") == true, "\(serverError)")
        #expect(!tls.server.events.contains("handshakeCompleted"))
        // TLS 1.3: the client's handshake completes first; the refusal arrives as an alert.
        let clientError = try #require(tls.client.reason?.check(TLSError.self))
        #expect(clientError.reasons.contains { $0.contains("certificate expired") }, "\(clientError.reasons)")
        #expect(tls.client.received.isEmpty && tls.server.received.isEmpty)
    }

    @Test func aServerOnlyRequestingCertificatesStillRefusesAnExpiredOne() throws {
        let certificates = try TestCertificates.shared()
        let serverContext = try TLSTestContexts.server {
            $0.clientCertificates = .request(trustRoots: .certificates(try TLSCertificate.chain(pemFile: certificates.caCertificate)))
        }
        let clientContext = try TLSTestContexts.client {
            $0.identity = try TLSIdentity(certificateFile: certificates.expiredClientCertificate, privateKeyFile: certificates.expiredClientKey)
        }
        let tls = try TLSMemoryPair(serverContext: serverContext, clientContext: clientContext)
        tls.flush()
        #expect(try #require(tls.server.reason?.check(TLSError.self)).verifyResult == 10)
    }
}
