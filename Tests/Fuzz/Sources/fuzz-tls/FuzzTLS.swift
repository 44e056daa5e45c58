import FuzzSupport
import Twist
import TwistTesting

/// The TLS engine's input from the network, fuzzed: the bytes are fed, split three ways, to a
/// server wrapper (as if a client sent them) and to a client wrapper (as if a server answered its
/// ClientHello). Whatever they are, nothing crashes, leaks or hangs (AddressSanitizer watches),
/// the application never sees a byte (random input cannot complete a handshake whose randomness
/// it does not know), and the connection ends exactly once.
func fuzzTLS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    for reads in input.splittings {
        for context in [FuzzContexts.shared.server, FuzzContexts.shared.client] {
            let application = Application()
            let clock = TestClock()
            guard let wrapper = try? TLSProtocolWrapper(
                wrapping: application, context: context, serverName: context.role == .client ? "fuzz.invalid" : nil, clock: clock
            ) else {
                fatalError("could not create a TLS connection")
            }
            let transport = feed(wrapper, reads)
            require(application.received.isEmpty, "random bytes were delivered as plaintext")
            require(application.made == 1, "the application was not connected")
            if !transport.isDisconnecting {
                // Still waiting for more: the handshake limit would end it.
                try? clock.advance(31)
            }
            wrapper.connectionLost(reason: Failure(ConnectionDone()))
            require(application.lost == 1, "connectionLost was not delivered exactly once")
        }
    }
    return 0
}

/// Records what reaches the application.
private final class Application: Protocol {
    var made = 0
    var lost = 0
    var received: [UInt8] = []
    override func connectionMade() { made += 1 }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { received += data }
    override func connectionLost(reason: Failure) { lost += 1 }
}

/// One server and one client context for the whole run (a throwaway self-signed ECDSA identity,
/// valid until 2126; clients do not verify it).
private final class FuzzContexts: @unchecked Sendable {
    static let shared = FuzzContexts()
    let server: TLSContext
    let client: TLSContext

    private init() {
        do {
            let identity = TLSIdentity(
                certificateChain: try TLSCertificate.chain(pem: Array(certificatePEM.utf8)),
                privateKey: try TLSPrivateKey(pem: Array(keyPEM.utf8))
            )
            var serverOptions = TLSServerOptions(identity: identity)
            serverOptions.acceptableProtocols = ["h2", "http/1.1"]
            server = try TLSContext(serverOptions)
            var clientOptions = TLSClientOptions()
            clientOptions.verification = .insecureNoVerification
            clientOptions.acceptableProtocols = ["h2"]
            client = try TLSContext(clientOptions)
        } catch {
            fatalError("fuzz contexts: \(error)")
        }
    }
}

private let keyPEM = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvkvKmfsD4cIKNt32
    SoYle2Q1jR0mdLy+/f08GU2E5YOhRANCAAR476x0rXEROfQtMM49+rpBF9DRZ6sC
    Trm4YLiHsW5UUV5mWT7JPRDAP1nYcNxbxx1qQKaEoGZQQ9P0Rf+3qr1j
    -----END PRIVATE KEY-----
    """

private let certificatePEM = """
    -----BEGIN CERTIFICATE-----
    MIIBhDCCASugAwIBAgIUfFfwdmK9Gxlg9zHLXV0+305DeYwwCgYIKoZIzj0EAwIw
    FzEVMBMGA1UEAwwMZnV6ei5pbnZhbGlkMCAXDTI2MTIwNzE0NTUyOFoYDzIxMjYx
    MTEzMTQ1NTI4WjAXMRUwEwYDVQQDDAxmdXp6LmludmFsaWQwWTATBgcqhkjOPQIB
    BggqhkjOPQMBBwNCAAR476x0rXEROfQtMM49+rpBF9DRZ6sCTrm4YLiHsW5UUV5m
    WT7JPRDAP1nYcNxbxx1qQKaEoGZQQ9P0Rf+3qr1jo1MwUTAdBgNVHQ4EFgQUlIbM
    6x7aenkn41sqlN0dfXc8GNgwHwYDVR0jBBgwFoAUlIbM6x7aenkn41sqlN0dfXc8
    GNgwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAsgazwHqcLv4cs
    ilrxJ2hvQWhhc4bk8dV1INErRhk5OAIgFaIjIy1jK4HFypNk9u6WwmE+gK/YgGa4
    jZrCklNxahU=
    -----END CERTIFICATE-----
    """
