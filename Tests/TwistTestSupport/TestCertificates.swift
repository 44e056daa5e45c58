import Foundation

/// Certificates for the TLS tests, made once per test process with the `openssl` command in a
/// temporary directory (ECDSA P-256, valid for 30 days from now):
///
/// - a test CA, and signed by it: the server (`CN=localhost`, SANs `DNS:localhost`,
///   `IP:127.0.0.1`, `IP:::1`) and a client (`CN=twist-client`);
/// - a second, untrusted CA, and a server certificate it signed (same names as the server's);
/// - a self-signed server certificate (same names);
/// - an RSA-2048 server certificate (test CA, same names), for the RSA cipher suites (DHE-RSA);
/// - Diffie-Hellman parameters (RFC 7919's ffdhe3072 group, made at once by `openssl genpkey`);
/// - signed by the test CA with dates outside now (by `openssl ca`, the one command of OpenSSL
///   3.0 that sets explicit dates): an expired server certificate, a not-yet-valid one (same
///   names) and an expired client certificate.
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
    /// An RSA-2048 server certificate signed by the test CA (server names).
    public let rsaServerCertificate: String
    /// The key of ``rsaServerCertificate``.
    public let rsaServerKey: String
    /// 3072-bit Diffie-Hellman parameters in PEM (`BEGIN DH PARAMETERS`).
    public let dhParameters: String
    /// A server certificate (test CA, server names) valid only in January 2020: expired.
    public let expiredCertificate: String
    /// The key of ``expiredCertificate``.
    public let expiredKey: String
    /// A server certificate (test CA, server names) valid only from 2099: not yet valid.
    public let notYetValidCertificate: String
    /// The key of ``notYetValidCertificate``.
    public let notYetValidKey: String
    /// A client certificate (test CA, `CN=twist-client`) valid only in January 2020: expired.
    public let expiredClientCertificate: String
    /// The key of ``expiredClientCertificate``.
    public let expiredClientKey: String

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
        rsaServerCertificate = path("rsa-server.pem")
        rsaServerKey = path("rsa-server.key")
        dhParameters = path("dh3072.pem")
        expiredCertificate = path("expired.pem")
        expiredKey = path("expired.key")
        notYetValidCertificate = path("not-yet-valid.pem")
        notYetValidKey = path("not-yet-valid.key")
        expiredClientCertificate = path("expired-client.pem")
        expiredClientKey = path("expired-client.key")

        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        let names = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
        try "\(names)\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:twist-client\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)

        // Two CAs: the trusted one and one nobody trusts.
        try Self.openssl(["req", "-x509"] + curve + ["-keyout", path("ca.key"), "-out", caCertificate, "-days", "30", "-subj", "/CN=Twist Test CA"])
        try Self.openssl(["req", "-x509"] + curve + ["-keyout", path("other-ca.key"), "-out", path("other-ca.pem"), "-days", "30", "-subj", "/CN=Untrusted CA"])
        // Leaves: a request, then a signature by a CA with the names as an extension.
        func leaf(_ name: String, subject: String, extensions: String, ca: String, caKey: String, key: [String]? = nil) throws {
            try Self.openssl(["req", "-new"] + (key ?? curve) + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
            try Self.openssl([
                "x509", "-req", "-in", path("\(name).csr"), "-CA", ca, "-CAkey", caKey, "-CAcreateserial",
                "-out", path("\(name).pem"), "-days", "30", "-extfile", extensions,
            ])
        }
        try leaf("server", subject: "/CN=localhost", extensions: path("server.ext"), ca: caCertificate, caKey: path("ca.key"))
        try leaf("client", subject: "/CN=twist-client", extensions: path("client.ext"), ca: caCertificate, caKey: path("ca.key"))
        try leaf(
            "rsa-server", subject: "/CN=localhost", extensions: path("server.ext"), ca: caCertificate, caKey: path("ca.key"),
            key: ["-newkey", "rsa:2048", "-nodes"]
        )
        try Self.openssl(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe3072", "-out", dhParameters])
        try leaf("untrusted", subject: "/CN=localhost", extensions: path("server.ext"), ca: path("other-ca.pem"), caKey: path("other-ca.key"))
        try Self.openssl(["req", "-x509"] + curve + [
            "-keyout", selfSignedKey, "-out", selfSignedCertificate, "-days", "30", "-subj", "/CN=localhost", "-addext", names,
        ])
        // Out-of-date leaves: `openssl ca` with explicit dates, from a minimal CA configuration.
        try FileManager.default.createDirectory(atPath: path("ca-db"), withIntermediateDirectories: true)
        try "".write(toFile: path("ca-db/index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(toFile: path("ca-db/serial"), atomically: true, encoding: .utf8)
        try """
            [ca]
            default_ca = test
            [test]
            database = \(path("ca-db/index.txt"))
            new_certs_dir = \(path("ca-db"))
            serial = \(path("ca-db/serial"))
            default_md = sha256
            policy = anything
            unique_subject = no
            [anything]
            commonName = supplied

            """.write(toFile: path("ca.cnf"), atomically: true, encoding: .utf8)
        func dated(_ name: String, subject: String, extensions: String, from start: String, to end: String) throws {
            try Self.openssl(["req", "-new"] + curve + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
            try Self.openssl([
                "ca", "-batch", "-notext", "-config", path("ca.cnf"), "-cert", caCertificate, "-keyfile", path("ca.key"),
                "-in", path("\(name).csr"), "-out", path("\(name).pem"), "-startdate", start, "-enddate", end,
                "-extfile", extensions,
            ])
        }
        try dated("expired", subject: "/CN=localhost", extensions: path("server.ext"), from: "20200101000000Z", to: "20200201000000Z")
        try dated("not-yet-valid", subject: "/CN=localhost", extensions: path("server.ext"), from: "20990101000000Z", to: "20990201000000Z")
        try dated("expired-client", subject: "/CN=twist-client", extensions: path("client.ext"), from: "20200101000000Z", to: "20200201000000Z")
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
