import Foundation
import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// Diffie-Hellman parameter files for TLS 1.2's DHE suites: loading, errors, use in memory, and
/// the key size an `openssl s_client` sees over loopback.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TLSDiffieHellmanTests {
    /// An RSA server (DHE suites need an RSA or DSS certificate) with `parameters`.
    private func rsaServer(_ parameters: TLSDiffieHellmanParameters?) throws -> TLSContext {
        let certificates = try TestCertificates.shared()
        var options = TLSServerOptions(identity: try TLSIdentity(certificateFile: certificates.rsaServerCertificate, privateKeyFile: certificates.rsaServerKey))
        options.dhParameters = parameters
        return try TLSContext(options)
    }

    private func dheClient() throws -> TLSContext {
        try TLSTestContexts.client {
            $0.maximumVersion = .tls12
            $0.cipherList = "DHE-RSA-AES128-GCM-SHA256"
        }
    }

    @Test func parametersLoadFromAFileAndFromMemory() throws {
        let certificates = try TestCertificates.shared()
        #expect(try TLSDiffieHellmanParameters(pemFile: certificates.dhParameters).bits == 3072)
        let pem = try Array(Data(contentsOf: URL(fileURLWithPath: certificates.dhParameters)))
        #expect(try TLSDiffieHellmanParameters(pem: pem).bits == 3072)
    }

    @Test func aBadParametersFileIsAClearError() throws {
        let certificates = try TestCertificates.shared()
        let missing = #expect(throws: TLSError.self) { try TLSDiffieHellmanParameters(pemFile: "/nonexistent/dh.pem") }
        #expect(missing?.detail?.contains("/nonexistent/dh.pem") == true)
        let notParameters = #expect(throws: TLSError.self) { try TLSDiffieHellmanParameters(pemFile: certificates.serverCertificate) }
        #expect(notParameters?.detail?.contains("no Diffie-Hellman parameters in \(certificates.serverCertificate)") == true, "\(String(describing: notParameters))")
        #expect(throws: TLSError.self) { try TLSDiffieHellmanParameters(pem: Array("-----BEGIN DH PARAMETERS-----\ngarbage\n-----END DH PARAMETERS-----\n".utf8)) }
        #expect(throws: TLSError.self) { try TLSDiffieHellmanParameters(pem: [UInt8]()) }
    }

    @Test func parametersOpenSSLFindsTooWeakFailWhenTheContextIsBuilt() throws {
        let weak = try TLSDiffieHellmanParameters(pem: Array(Self.weak1024.utf8))
        #expect(weak.bits == 1024)
        let error = #expect(throws: TLSError.self) { try rsaServer(weak) }
        #expect(error?.detail?.contains("cannot use the Diffie-Hellman parameters") == true, "\(String(describing: error))")
        #expect(error?.reasons.isEmpty == false, "OpenSSL's reason is kept")
    }

    @Test func x942ParametersAreRefusedByName() throws {
        let error = #expect(throws: TLSError.self) { try TLSDiffieHellmanParameters(pem: Array(Self.x942.utf8)) }
        #expect(error?.detail?.contains("BEGIN DH PARAMETERS") == true, "\(String(describing: error))")
    }

    /// 1024-bit PKCS #3 parameters (`openssl genpkey -genparam -algorithm DH -pkeyopt
    /// dh_paramgen_prime_len:1024`): below the security level Debian's OpenSSL enforces.
    static let weak1024 = """
-----BEGIN DH PARAMETERS-----
MIGHAoGBAIq0B4d9WeD8ptrvlPZHhK6TWjAvGaon9o3oNosf6TMKjvLKtA19Rm5W
Tv3VlqLQfnU5tv6xMiBR8Haq1cyjE/oO/MhmYe53mpCyZZ5PBQOQ46TJbiZRwGDA
VgEwMXXgNRSdsCa0cZXdtU1ncP7+eXTDilLhId2n9w0Six/unJNvAgEC
-----END DH PARAMETERS-----
"""

    /// X9.42 parameters, as `openssl dhparam -dsaparam` writes them.
    static let x942 = """
-----BEGIN X9.42 DH PARAMETERS-----
MIIBJwKBgQDHCFfP0ggMbo+oqYOKvtZP4haPfH4uCIDN5LUzhfT67bD9w9fx3jRH
Ugw+yF09oOFCd5XIdNpBrOU2JPLsR4wnZpl01X+x/B+nbu4YUBCYGUuQi90NQ+I6
zclnyMOCGJbINA5poB/EYY8R999Edv3RxWGQgtuiN6O8UpTDcO/G0QKBgQC3UJga
An2kl4kEjWukuJlYH5ANJsbB+F9IXxukC+NK2aU3wcX8ZuAMZqgpuByLME1gFcqz
6RR3lC60UdjMcoTy4mg/UCcfBLtZgexECCSaTJ4dZivvIcEon5TGl32uAs1bzZcr
zB35LdFxufSc8vU9fZjQb/g3nSAuLF+ZdLUEZgIdAO1EIK3YTWVwpvhV9gcfMcDR
yPKepckSbzwHjuU=
-----END X9.42 DH PARAMETERS-----
"""

    @Test func aServerWithParametersNegotiatesDHEAndOneWithoutCannot() throws {
        let parameters = try TLSDiffieHellmanParameters(pemFile: try TestCertificates.shared().dhParameters)
        let tls = try TLSMemoryPair(server: TLSRecorder(greeting: "over DHE"), serverContext: try rsaServer(parameters), clientContext: try dheClient())
        tls.flush()
        #expect(tls.client.text == "over DHE")
        #expect(tls.client.tls.cipherSuite == "DHE-RSA-AES128-GCM-SHA256")
        #expect(tls.client.tls.protocolVersion == "TLSv1.2")

        let without = try TLSMemoryPair(serverContext: try rsaServer(nil), clientContext: try dheClient())
        without.flush()
        let error = try #require(without.server.reason?.check(TLSError.self))
        #expect(error.reasons.contains("no shared cipher"), "\(error.reasons)")
    }

    @Test func opensslSClientSeesTheGivenParametersSize() async throws {
        let certificates = try TestCertificates.shared()
        let reactor = Reactor()
        let port = Shared(0)
        reactor.callWhenRunning {
            let server = try serverFromString(
                reactor,
                "ssl:0:interface=127.0.0.1:privateKey=\(certificates.rsaServerKey):certKey=\(certificates.rsaServerCertificate):dhParameters=\(certificates.dhParameters)"
            )
            _ = server.listen(Factory { LineEchoThenClose() }).addCallback { listening in port.value = listening.address.port! }
        }
        let running = startReactorThread(reactor, timeout: 30)
        try await waitUntil { port.value != 0 }
        let client = try PeerProcess.start("openssl", [
            "s_client", "-connect", "127.0.0.1:\(port.value)", "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256",
            "-CAfile", certificates.caCertificate, "-verify_return_error",
        ], withInput: true)
        defer { client.terminateIfRunning() }
        let output = client.collectOutput()
        client.input?.fileHandleForWriting.write(Data("hello dhe\n".utf8))
        let status = await client.waitForExit(timeout: 20)
        client.input?.fileHandleForWriting.closeFile()
        stopFromOutside(reactor)
        _ = await running.value
        let text = await output.value
        #expect(status == 0, "\(text)")
        #expect(text.contains("Server Temp Key: DH, 3072 bits"), "\(text)")
        #expect(text.contains("DHE-RSA-AES128-GCM-SHA256"), "\(text)")
        #expect(text.contains("hello dhe"), "\(text)")
    }

    @Test func theDhParametersKeyOfTheSslStringMustNameAParametersFile() throws {
        let certificates = try TestCertificates.shared()
        let reactor = Reactor()
        let error = #expect(throws: EndpointDescriptionError.self) {
            try serverFromString(reactor, "ssl:0:privateKey=\(certificates.serverCombined):dhParameters=\(certificates.serverCertificate)")
        }
        #expect("\(String(describing: error))".contains("dhParameters"), "\(String(describing: error))")
        #expect(throws: EndpointDescriptionError.self) {
            try serverFromString(reactor, "ssl:0:privateKey=\(certificates.serverCombined):dhParameters=/nonexistent/dh.pem")
        }
    }
}
