import COpenSSL
import Glibc
import TwistCore

/// Where PEM text comes from, as an OpenSSL `BIO` that lives only for one read: bytes in memory,
/// or a file. Both loaders (certificates and keys) read through it, so a file and the same text in
/// memory load identically.
enum PEMSource {
    /// Runs `body` with a read-only memory BIO over `bytes`.
    static func withBIO<Result>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> Result) throws -> Result {
        try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw TLSErrorQueue.setupError("cannot read PEM text")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `body` with a file BIO reading `path`.
    ///
    /// - Throws: ``TLSError`` naming the file when it cannot be opened.
    static func withFileBIO<Result>(_ path: String, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        TLSErrorQueue.clear()
        guard let bio = BIO_new_file(path, "r") else {
            let reason = String(cString: strerror(errno))
            TLSErrorQueue.clear()
            throw TLSError(reasons: [], detail: "cannot open \(path): \(reason)")
        }
        defer { BIO_free(bio) }
        return try body(bio)
    }

    /// The paths of the `*.pem` files in `directory`, sorted.
    ///
    /// - Throws: ``TLSError`` when the directory cannot be read.
    static func pemFiles(in directory: String) throws -> [String] {
        guard let handle = opendir(directory) else {
            throw TLSError(reasons: [], detail: "cannot read the directory \(directory): \(String(cString: strerror(errno)))")
        }
        defer { closedir(handle) }
        var paths: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".pem") {
                paths.append(directory.hasSuffix("/") ? directory + name : directory + "/" + name)
            }
        }
        return paths.sorted()
    }
}
