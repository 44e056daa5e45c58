import NIOSSL

/// The peer's one TLS server context: the certificate chain and key from PEM files, everything
/// else swift-nio-ssl's defaults for a server (TLS 1.2 and up; BoringSSL picks the cipher suite
/// and group from what the client offers).
func makeServerContext(certificateFile: String, keyFile: String) throws -> NIOSSLContext {
    let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
    let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
    let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    return try NIOSSLContext(configuration: configuration)
}
