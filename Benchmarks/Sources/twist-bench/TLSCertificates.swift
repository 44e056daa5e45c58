import Foundation

/// The throw-away certificates of the TLS scenarios: one self-signed certificate per key kind,
/// made with `openssl req` in the run's temporary directory when the run starts, and handed to
/// every peer as `--tls-cert PATH --tls-key PATH` (PEM files). The load generator does not verify
/// them (twist-loadgen's tls.h).
struct TLSCertificates {
    /// The server key of a TLS scenario.
    enum KeyKind: String, CaseIterable, Sendable {
        case ecdsaP256 = "ecdsa-p256"
        case rsa2048 = "rsa-2048"

        /// `openssl req -newkey` arguments for this kind.
        var newKeyArguments: [String] {
            switch self {
            case .ecdsaP256: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
            case .rsa2048: ["-newkey", "rsa:2048"]
            }
        }
    }

    /// Certificate and key files of each kind.
    private(set) var files: [KeyKind: (certificate: String, key: String)] = [:]

    /// Makes a certificate and key of every kind in `directory` (CN=localhost, valid two days).
    ///
    /// - Throws: ``Child/Failure`` when `openssl` is missing or fails (its output is in `log`).
    static func make(in directory: String, log: String) throws -> TLSCertificates {
        var made = TLSCertificates()
        for kind in KeyKind.allCases {
            let certificate = "\(directory)/\(kind.rawValue).pem", key = "\(directory)/\(kind.rawValue).key"
            let openssl = try Child(
                ["openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate]
                    + kind.newKeyArguments,
                errorLog: log)
            while openssl.readLine(timeout: 60) != nil {}
            guard openssl.wait(timeout: 60) == 0, FileManager.default.fileExists(atPath: certificate) else {
                throw Child.Failure(description: "openssl req could not make the \(kind.rawValue) certificate (see \(log))")
            }
            made.files[kind] = (certificate, key)
        }
        return made
    }

    /// The peer arguments that serve TLS with a `kind` key.
    func peerArguments(_ kind: KeyKind) -> [String] {
        guard let pair = files[kind] else { return [] }
        return ["--tls-cert", pair.certificate, "--tls-key", pair.key]
    }
}
