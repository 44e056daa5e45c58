import COpenSSL

/// Owns one reference to an immutable OpenSSL object (an `X509`, an `EVP_PKEY`) and releases it
/// with its free function when the last Swift holder goes. OpenSSL counts the object's references
/// itself and allows concurrent reads, so the owner is `Sendable`.
final class OpenSSLReference: @unchecked Sendable {
    /// The object.
    let pointer: OpaquePointer
    private let release: (OpaquePointer) -> Void

    /// Takes over the reference `pointer`, to be released with `release`.
    init(taking pointer: OpaquePointer, release: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.release = release
    }

    deinit {
        release(pointer)
    }
}
