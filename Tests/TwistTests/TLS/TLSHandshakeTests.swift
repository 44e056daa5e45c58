import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// The TLS wrapper in memory (two engines and a pump, with a test clock): the order of events,
/// writes before the handshake, what the handshake establishes, and how verification fails.
@Suite struct TLSHandshakeTests {
    @Test func writesInConnectionMadeReachThePeerAfterTheHandshakeBothWays() throws {
        let tls = try TLSMemoryPair(server: TLSRecorder(greeting: "hello from the server"), client: TLSRecorder(greeting: "hello from the client"))
        tls.flush()
        #expect(tls.server.text == "hello from the client")
        #expect(tls.client.text == "hello from the server")
        #expect(tls.server.events == ["connectionMade", "handshakeCompleted", "data"])
        #expect(tls.client.events == ["connectionMade", "handshakeCompleted", "data"])
    }

    @Test func thePeerCertificateIsAbsentInConnectionMadeAndPresentAtHandshakeCompleted() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        #expect(tls.client.certificateAtConnectionMade == nil)
        let certificate = try #require(tls.client.certificateAtHandshake)
        #expect(certificate.subject == "CN=localhost")
        #expect(certificate.issuer == "CN=Twist Test CA")
        #expect(certificate.subjectAlternativeNames == ["localhost", "127.0.0.1", "::1"])
        #expect(!certificate.der.isEmpty)
        // A server that asked for no client certificate has none.
        #expect(tls.server.certificateAtHandshake == nil)
        #expect(tls.client.tls.protocolVersion == "TLSv1.3")
        #expect(tls.client.tls.cipherSuite != nil)
        #expect(tls.client.tls.isHandshakeComplete)
    }

    @Test func echoOfManyRecordsArrivesWholeAndInOrder() throws {
        let tls = try TLSMemoryPair(server: TLSRecorder(echo: true))
        tls.flush()
        var sent: [UInt8] = []
        for index in 0..<200 {
            let chunk = (0..<(index * 97 % 5000 + 1)).map { UInt8(truncatingIfNeeded: $0 &+ index) }
            sent += chunk
            tls.client.transport?.write(chunk)
        }
        let big = [UInt8](repeating: 0x5a, count: 1 << 20)
        sent += big
        tls.client.transport?.write(big)
        tls.flush()
        #expect(tls.client.received == sent)
    }

    @Test func aDNSNameIsSentAsSNIAndAnIPAddressIsNot() throws {
        let named = try TLSMemoryPair(serverName: "localhost")
        named.flush()
        #expect(named.server.tls.requestedServerName == "localhost")
        #expect(named.client.events.contains("handshakeCompleted"))

        let numeric = try TLSMemoryPair(serverName: "127.0.0.1")
        numeric.flush()
        #expect(numeric.server.tls.requestedServerName == nil)
        #expect(numeric.client.events.contains("handshakeCompleted"), "the certificate names 127.0.0.1")
    }

    @Test func aWrongHostNameFailsBothSidesWithTheRightErrors() throws {
        let tls = try TLSMemoryPair(server: TLSRecorder(greeting: "secret"), client: TLSRecorder(greeting: "secret"), serverName: "example.org")
        tls.flush()
        let clientError = try #require(tls.client.reason?.check(CertificateVerificationError.self))
        #expect(clientError.verifyResult == 62)
        #expect(clientError.reasons.contains("certificate verify failed"))
        let serverError = try #require(tls.server.reason?.check(TLSError.self))
        #expect(serverError.reasons.contains { $0.contains("bad certificate") }, "\(serverError.reasons)")
        #expect(tls.client.received.isEmpty && tls.server.received.isEmpty)
        #expect(tls.client.events == ["connectionMade", "connectionLost"])
    }

    @Test func aWrongIPAddressFails() throws {
        let tls = try TLSMemoryPair(serverName: "127.0.0.2")
        tls.flush()
        let error = try #require(tls.client.reason?.check(CertificateVerificationError.self))
        #expect(error.verifyResult == 64)
    }

    @Test func anUntrustedCAFailsWithUnknownCAOnTheServer() throws {
        let certificates = try TestCertificates.shared()
        let server = try TLSContext(TLSServerOptions(identity: try TLSIdentity(certificateFile: certificates.untrustedCertificate, privateKeyFile: certificates.untrustedKey)))
        let tls = try TLSMemoryPair(serverContext: server)
        tls.flush()
        let clientError = try #require(tls.client.reason?.check(TLSError.self))
        #expect(!(clientError is CertificateVerificationError))
        #expect(clientError.reasons.contains("certificate verify failed"))
        #expect(clientError.verifyResult != nil)
        let serverError = try #require(tls.server.reason?.check(TLSError.self))
        #expect(serverError.reasons.contains { $0.contains("unknown ca") }, "\(serverError.reasons)")
    }

    @Test func aSelfSignedCertificateCanBeItsOwnTrustRoot() throws {
        let certificates = try TestCertificates.shared()
        let server = try TLSContext(TLSServerOptions(identity: try TLSIdentity(certificateFile: certificates.selfSignedCertificate, privateKeyFile: certificates.selfSignedKey)))
        let client = try TLSContext(TLSClientOptions(trustRoots: .certificates(try TLSCertificate.chain(pemFile: certificates.selfSignedCertificate))))
        let tls = try TLSMemoryPair(serverContext: server, clientContext: client)
        tls.flush()
        #expect(tls.client.events.contains("handshakeCompleted"))
        #expect(tls.client.reason == nil)
    }

    @Test func insecureNoVerificationConnectsToAnyone() throws {
        let certificates = try TestCertificates.shared()
        let server = try TLSContext(TLSServerOptions(identity: try TLSIdentity(certificateFile: certificates.untrustedCertificate, privateKeyFile: certificates.untrustedKey)))
        let client = try TLSTestContexts.client { $0.verification = .insecureNoVerification }
        let tls = try TLSMemoryPair(serverContext: server, clientContext: client, serverName: "example.org")
        tls.flush()
        #expect(tls.client.events.contains("handshakeCompleted"))
    }

    @Test func noHostnameVerificationStillChecksTheChain() throws {
        let named = try TLSMemoryPair(clientContext: try TLSTestContexts.client { $0.verification = .noHostnameVerification }, serverName: "example.org")
        named.flush()
        #expect(named.client.events.contains("handshakeCompleted"))

        let certificates = try TestCertificates.shared()
        let untrusted = try TLSContext(TLSServerOptions(identity: try TLSIdentity(certificateFile: certificates.untrustedCertificate, privateKeyFile: certificates.untrustedKey)))
        let chained = try TLSMemoryPair(serverContext: untrusted, clientContext: try TLSTestContexts.client { $0.verification = .noHostnameVerification })
        chained.flush()
        #expect(chained.client.reason?.check(TLSError.self) != nil)
    }

    @Test func aRequiredClientCertificateThatIsMissingFailsAfterTheClientsHandshake() throws {
        // TLS 1.3: the client's handshake completes before the server judges it; the rejection
        // arrives as an alert on the client's next read.
        let server = try TLSTestContexts.server {
            $0.clientCertificates = .require(trustRoots: .certificates(try TLSCertificate.chain(pemFile: try TestCertificates.shared().caCertificate)))
        }
        let tls = try TLSMemoryPair(serverContext: server)
        tls.flush()
        #expect(tls.client.events == ["connectionMade", "handshakeCompleted", "connectionLost"])
        let clientError = try #require(tls.client.reason?.check(TLSError.self))
        #expect(clientError.reasons.contains { $0.contains("certificate required") }, "\(clientError.reasons)")
        let serverError = try #require(tls.server.reason?.check(TLSError.self))
        #expect(serverError.reasons.contains("peer did not return a certificate"), "\(serverError.reasons)")
    }

    @Test func aValidClientCertificateIsSeenByTheServer() throws {
        let certificates = try TestCertificates.shared()
        let server = try TLSTestContexts.server {
            $0.clientCertificates = .require(trustRoots: .certificates(try TLSCertificate.chain(pemFile: certificates.caCertificate)))
        }
        let client = try TLSTestContexts.client {
            $0.identity = try TLSIdentity(certificateFile: certificates.clientCertificate, privateKeyFile: certificates.clientKey)
        }
        let tls = try TLSMemoryPair(server: TLSRecorder(greeting: "welcome"), serverContext: server, clientContext: client)
        tls.flush()
        #expect(tls.client.text == "welcome")
        #expect(tls.server.certificateAtHandshake?.subject == "CN=twist-client")
    }

    @Test func aClientCertificateFromAnUnknownCAIsRefused() throws {
        let certificates = try TestCertificates.shared()
        let server = try TLSTestContexts.server {
            $0.clientCertificates = .require(trustRoots: .certificates(try TLSCertificate.chain(pemFile: certificates.caCertificate)))
        }
        let client = try TLSTestContexts.client {
            $0.identity = try TLSIdentity(certificateFile: certificates.untrustedCertificate, privateKeyFile: certificates.untrustedKey)
        }
        let tls = try TLSMemoryPair(serverContext: server, clientContext: client)
        tls.flush()
        #expect(tls.server.reason?.check(TLSError.self) != nil)
        #expect(tls.client.reason?.check(TLSError.self) != nil)
    }

    @Test func alpnPrefersTheServersOrder() throws {
        let server = try TLSTestContexts.server { $0.acceptableProtocols = ["h2", "http/1.1"] }
        let client = try TLSTestContexts.client { $0.acceptableProtocols = ["http/1.1", "h2"] }
        let tls = try TLSMemoryPair(serverContext: server, clientContext: client)
        tls.flush()
        #expect(tls.client.tls.negotiatedProtocol == "h2")
        #expect(tls.server.tls.negotiatedProtocol == "h2")
    }

    @Test func alpnWithoutOverlapFailsTheHandshake() throws {
        let server = try TLSTestContexts.server { $0.acceptableProtocols = ["h2"] }
        let client = try TLSTestContexts.client { $0.acceptableProtocols = ["spdy/3"] }
        let tls = try TLSMemoryPair(serverContext: server, clientContext: client)
        tls.flush()
        let error = try #require(tls.client.reason?.check(TLSError.self))
        #expect(error.reasons.contains { $0.contains("no application protocol") }, "\(error.reasons)")
        #expect(tls.client.tls.negotiatedProtocol == nil)
    }

    @Test func aServerWithoutALPNIgnoresTheClientsList() throws {
        let client = try TLSTestContexts.client { $0.acceptableProtocols = ["h2"] }
        let tls = try TLSMemoryPair(clientContext: client)
        tls.flush()
        #expect(tls.client.events.contains("handshakeCompleted"))
        #expect(tls.client.tls.negotiatedProtocol == nil)
    }

    @Test func abortingInHandshakeCompletedSendsNothingWrittenBefore() throws {
        let client = TLSRecorder(greeting: "must never arrive")
        client.onHandshake = { $0.transport?.abortConnection() }
        let tls = try TLSMemoryPair(client: client)
        tls.flush()
        #expect(tls.server.received.isEmpty)
        #expect(tls.client.reason?.check(ConnectionAborted.self) != nil)
        #expect(tls.server.reason?.check(ConnectionLost.self) != nil)
    }

    @Test func anErrorThrownFromHandshakeCompletedAbortsTheConnection() throws {
        struct Refused: Error {}
        let client = TLSRecorder(greeting: "must never arrive")
        client.onHandshake = { _ in throw Refused() }
        let tls = try TLSMemoryPair(client: client)
        tls.flush()
        #expect(tls.server.received.isEmpty)
        #expect(tls.client.reason?.check(ConnectionLost.self) != nil)
    }

    @Test func theTLSVersionRangeIsHonoured() throws {
        let server = try TLSTestContexts.server { $0.maximumVersion = .tls12 }
        let tls = try TLSMemoryPair(serverContext: server)
        tls.flush()
        #expect(tls.client.tls.protocolVersion == "TLSv1.2")

        let client = try TLSTestContexts.client { $0.minimumVersion = .tls13 }
        let refused = try TLSMemoryPair(serverContext: server, clientContext: client)
        refused.flush()
        #expect(refused.client.reason?.check(TLSError.self) != nil)
        #expect(throws: TLSError.self) { try TLSTestContexts.client { $0.minimumVersion = .tls13; $0.maximumVersion = .tls12 } }
    }

    @Test func aServerChoosesItsContextByTheNameTheClientAsksFor() throws {
        let certificates = try TestCertificates.shared()
        let selfSigned = try TLSContext(TLSServerOptions(identity: try TLSIdentity(certificateFile: certificates.selfSignedCertificate, privateKeyFile: certificates.selfSignedKey)))
        let asked = Shared<[String]>([])
        let server = try TLSTestContexts.server {
            $0.contextForServerName = { name in
                asked.mutate { $0.append(name) }
                return name == "localhost" ? selfSigned : nil
            }
        }
        // A client that trusts only the self-signed certificate: it connects only if the server
        // switched to that context.
        let client = try TLSContext(TLSClientOptions(trustRoots: .certificates(try TLSCertificate.chain(pemFile: certificates.selfSignedCertificate))))
        let named = try TLSMemoryPair(serverContext: server, clientContext: client, serverName: "localhost")
        named.flush()
        #expect(named.client.events.contains("handshakeCompleted"), "\(String(describing: named.client.reason))")
        #expect(named.client.certificateAtHandshake?.issuer == "CN=localhost")

        // An IP address sends no name: the default context (signed by the test CA) answers.
        let numeric = try TLSMemoryPair(serverContext: server, clientContext: client, serverName: "127.0.0.1")
        numeric.flush()
        #expect(numeric.client.reason?.check(TLSError.self) != nil)
        #expect(asked.value == ["localhost"])
    }
}
