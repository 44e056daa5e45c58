import Foundation

/// Certificates for the TLS tests, made once per test process with the `openssl` command in a
/// temporary directory (ECDSA P-256, valid for 30 days from now):
///
/// - a test CA, and signed by it: the server (`CN=localhost`, SANs `DNS:localhost`,
///   `IP:127.0.0.1`, `IP:::1`) and a client (`CN=twist-client`);
/// - a second, untrusted CA, and a server certificate it signed (same names as the server's);
/// - a self-signed server certificate (same names).
///
/// Every property is a path. The CA's PEM is alone in ``trustDirectory`` (the `trustRoots=` of
/// `tls:` strings reads every `*.pem` there).
public struct TestCertificates: Sendable {
    /// The directory everything was written to.
    public let directory: String
    /// The test CA's certificate.
    public let caCertificate: String
    /// A directory holding only the test CA's certificate.
    public let trustDirectory: String
    /// The server's certificate (signed by the test CA) and key.
    public let serverCertificate: String
    /// The server's private key.
    public let serverKey: String
    /// The server's key followed by its certificate, in one file (Twisted's `server.pem` shape).
    public let serverCombined: String
    /// The client's certificate (signed by the test CA) and key.
    public let clientCertificate: String
    /// The client's private key.
    public let clientKey: String
    /// A server certificate signed by a CA nobody trusts, and its key.
    public let untrustedCertificate: String
    /// The key of ``untrustedCertificate``.
    public let untrustedKey: String
    /// A self-signed server certificate and its key.
    public let selfSignedCertificate: String
    /// The key of ``selfSignedCertificate``.
    public let selfSignedKey: String

    /// The certificates of this test process, made on first use.
    ///
    /// - Throws: when `openssl` is missing or fails (its output is in the error).
    public static func shared() throws -> TestCertificates {
        try made.get()
    }

    private static let made: Result<TestCertificates, any Error> = Result { try TestCertificates(making: ()) }

    private init(making: Void) throws {
        let directory = NSTemporaryDirectory() + "twist-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/trust", withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory + "/" + name }
        self.directory = directory
        caCertificate = path("trust/ca.pem")
        trustDirectory = path("trust")
        serverCertificate = path("server.pem")
        serverKey = path("server.key")
        serverCombined = path("server-combined.pem")
        clientCertificate = path("client.pem")
        clientKey = path("client.key")
        untrustedCertificate = path("untrusted.pem")
        untrustedKey = path("untrusted.key")
        selfSignedCertificate = path("self-signed.pem")
        selfSignedKey = path("self-signed.key")

        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        let names = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
        try "\(names)\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:twist-client\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)

        // Two CAs: the trusted one and one nobody trusts.
        try Self.openssl(["req", "-x509"] + curve + ["-keyout", path("ca.key"), "-out", caCertificate, "-days", "30", "-subj", "/CN=Twist Test CA"])
        try Self.openssl(["req", "-x509"] + curve + ["-keyout", path("other-ca.key"), "-out", path("other-ca.pem"), "-days", "30", "-subj", "/CN=Untrusted CA"])
        // Leaves: a request, then a signature by a CA with the names as an extension.
        func leaf(_ name: String, subject: String, extensions: String, ca: String, caKey: String) throws {
            try Self.openssl(["req", "-new"] + curve + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
            try Self.openssl([
                "x509", "-req", "-in", path("\(name).csr"), "-CA", ca, "-CAkey", caKey, "-CAcreateserial",
                "-out", path("\(name).pem"), "-days", "30", "-extfile", extensions,
            ])
        }
        try leaf("server", subject: "/CN=localhost", extensions: path("server.ext"), ca: caCertificate, caKey: path("ca.key"))
        try leaf("client", subject: "/CN=twist-client", extensions: path("client.ext"), ca: caCertificate, caKey: path("ca.key"))
        try leaf("untrusted", subject: "/CN=localhost", extensions: path("server.ext"), ca: path("other-ca.pem"), caKey: path("other-ca.key"))
        try Self.openssl(["req", "-x509"] + curve + [
            "-keyout", selfSignedKey, "-out", selfSignedCertificate, "-days", "30", "-subj", "/CN=localhost", "-addext", names,
        ])
        let combined = try String(contentsOfFile: serverKey, encoding: .utf8) + String(contentsOfFile: serverCertificate, encoding: .utf8)
        try combined.write(toFile: serverCombined, atomically: true, encoding: .utf8)
    }

    /// Runs `openssl` with `arguments`, quietly; throws with its output when it fails.
    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CertificateMakingError(command: "openssl " + arguments.joined(separator: " "), output: String(decoding: text, as: UTF8.self))
        }
    }

    /// `openssl` failed while making the test certificates.
    public struct CertificateMakingError: Error, CustomStringConvertible {
        /// The command that failed.
        public let command: String
        /// What it printed.
        public let output: String

        /// The command and its output.
        public var description: String { "\(command) failed:\n\(output)" }
    }
}
