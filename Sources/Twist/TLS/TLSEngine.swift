import COpenSSL
import Glibc
import TwistCore

/// One connection's OpenSSL engine (`SSL`), driven by the TLS wrapper on the reactor thread.
///
/// **Bytes in, bytes out, no buffer of OpenSSL's between.** Ciphertext from the network is lent
/// to the engine for the length of ``withInput(_:_:)``: its read BIO serves OpenSSL straight from
/// the caller's memory (the reactor's receive buffer), and only the tail of a record cut by the
/// end of a read is copied, to wait for the rest. Ciphertext the engine produces (handshake
/// flights, records, alerts) goes the other way with no buffer either: the write BIO hands each
/// piece to ``output`` as it is made, and the wrapper copies it into the transport's write queue.
///
/// **Four operations** — ``handshake()``, ``read(into:)``, ``write(_:)``, ``shutdown()`` — each
/// clears this thread's OpenSSL error queue first and, on failure, drains it into the
/// ``TLSError`` it returns, so errors stay with their connection.
final class TLSEngine {
    /// What a handshake, write or shutdown step came to.
    enum Step {
        /// Done.
        case complete
        /// The engine needs more bytes from the peer first.
        case wantsInput
        /// The connection failed; nothing more can be done on it.
        case failed(TLSError)
    }

    /// What a read came to.
    enum ReadResult {
        /// `count` bytes of plaintext were read.
        case bytes(Int)
        /// No complete record is buffered: the engine needs more bytes from the peer.
        case wantsInput
        /// The peer's close_notify was read: no more data will come.
        case closed
        /// The connection failed.
        case failed(TLSError)
    }

    /// The largest plaintext one record carries: writes are handed to OpenSSL in slices of this.
    static let recordSize = 16_384

    /// The context this connection was made with; held so the context (and the state its C
    /// callbacks read) outlives the connection.
    let context: TLSContext

    /// Where the ciphertext the engine produces goes (the wrapper copies it into its transport).
    /// Called synchronously from inside the engine's operations.
    var output: (UnsafeRawBufferPointer) -> Void = { _ in }

    /// The context a server switched to for the client's SNI name, kept alive with the connection.
    var serverNameContext: TLSContext?

    private let ssl: OpaquePointer

    /// The bytes lent by ``withInput(_:_:)`` for the current call, and how far OpenSSL read them.
    private var lent = UnsafeRawBufferPointer(start: nil, count: 0)
    private var lentOffset = 0

    /// Bytes of an earlier read that OpenSSL has not consumed yet (the start of a record whose
    /// end had not arrived); served before the lent bytes.
    private var carried: [UInt8] = []
    private var carriedOffset = 0

    /// True once ``markEndOfInput()`` said the network will bring nothing more.
    private var inputEnded = false

    /// The index under which every `SSL` keeps a pointer to its engine.
    private static let engineIndex = tw_SSL_get_ex_new_index()

    /// The engine of `ssl`, from inside an OpenSSL callback.
    static func of(_ ssl: OpaquePointer) -> TLSEngine? {
        SSL_get_ex_data(ssl, engineIndex).map { Unmanaged<TLSEngine>.fromOpaque($0).takeUnretainedValue() }
    }

    /// An engine for one connection with `context`. A client engine verifies the server as
    /// `serverName` (a DNS name, sent as SNI too, or an IP literal, which is not) unless the
    /// context's verification is relaxed.
    ///
    /// - Throws: ``TLSError`` when OpenSSL cannot create the connection's objects or accept the name.
    init(context: TLSContext, serverName: String?) throws {
        TLSErrorQueue.clear()
        guard let ssl = SSL_new(context.handle) else { throw TLSErrorQueue.setupError("cannot create a TLS connection") }
        guard let readBIO = BIO_new(TLSInputBIO.method.pointer), let writeBIO = BIO_new(TLSOutputBIO.method.pointer) else {
            SSL_free(ssl)
            throw TLSErrorQueue.setupError("cannot create the connection's BIOs")
        }
        self.ssl = ssl
        self.context = context
        SSL_set_bio(ssl, readBIO, writeBIO)  // the SSL owns both from here on
        BIO_set_data(readBIO, Unmanaged.passUnretained(self).toOpaque())
        BIO_set_data(writeBIO, Unmanaged.passUnretained(self).toOpaque())
        SSL_set_ex_data(ssl, Self.engineIndex, Unmanaged.passUnretained(self).toOpaque())
        switch context.role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            if let serverName { try name(serverName) }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// Sets the name the server is checked against, and SNI for a DNS name.
    private func name(_ serverName: String) throws {
        let isAddress = IPAddress(numericHost: serverName, port: 0) != nil
        if context.verification == .full {
            guard SSL_set1_host(ssl, serverName) == 1 else {
                throw TLSErrorQueue.setupError("cannot verify the name \"\(serverName)\"")
            }
        }
        if !isAddress, !serverName.isEmpty {
            guard tw_SSL_set_tlsext_host_name(ssl, serverName) == 1 else {
                throw TLSErrorQueue.setupError("cannot send the server name \"\(serverName)\"")
            }
        }
    }

    /// Lends `bytes` (ciphertext from the network) to the engine while `body` runs the handshake
    /// and reads; what OpenSSL did not consume by the end (a record cut short) is copied and
    /// served first next time. `bytes` need stay valid only for the call.
    func withInput<Result>(_ bytes: UnsafeRawBufferPointer, _ body: () throws -> Result) rethrows -> Result {
        lent = bytes
        lentOffset = 0
        defer {
            if lentOffset < lent.count {
                if carriedOffset == carried.count {
                    carried.removeAll(keepingCapacity: true)
                    carriedOffset = 0
                }
                carried.append(contentsOf: UnsafeRawBufferPointer(rebasing: lent[lentOffset...]))
            }
            lent = UnsafeRawBufferPointer(start: nil, count: 0)
            lentOffset = 0
        }
        return try body()
    }

    /// OpenSSL asks for up to `buffer.count` bytes: carried bytes first, then lent ones. 0 when
    /// there are none (the caller then says "retry", or "end of file" after ``markEndOfInput()``).
    fileprivate func supply(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        if carriedOffset < carried.count {
            let count = min(buffer.count, carried.count - carriedOffset)
            carried.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + carriedOffset, byteCount: count)
            }
            carriedOffset += count
            if carriedOffset == carried.count {
                carried.removeAll(keepingCapacity: carried.capacity <= Self.recordSize * 2)
                carriedOffset = 0
            }
            return count
        }
        let count = min(buffer.count, lent.count - lentOffset)
        guard count > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: lent.baseAddress! + lentOffset, byteCount: count)
        lentOffset += count
        return count
    }

    /// True when OpenSSL has read everything it was given and the network said it ended.
    fileprivate var isAtEndOfInput: Bool { inputEnded }

    /// Advances the handshake as far as the bytes fed so far allow.
    func handshake() -> Step {
        TLSErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        return result == 1 ? .complete : step(after: result)
    }

    /// True once the handshake has completed.
    var isHandshakeComplete: Bool { SSL_is_init_finished(ssl) == 1 }

    /// True when the session negotiated TLS 1.3 (which allows sending after a received close_notify).
    var isTLS13: Bool { SSL_version(ssl) == TLS1_3_VERSION }

    /// Decrypts what one record (or what is left of it) holds into `buffer`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        TLSErrorQueue.clear()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if count > 0 { return .bytes(Int(count)) }
        switch SSL_get_error(ssl, count) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantsInput
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        default:
            return .failed(failure())
        }
    }

    /// Encrypts all of `bytes`, one record per slice of at most ``recordSize`` bytes; the records
    /// go to ``output`` as they are made. Only after the handshake has completed.
    func write(_ bytes: UnsafeRawBufferPointer) -> Step {
        var offset = 0
        while offset < bytes.count {
            let slice = min(Self.recordSize, bytes.count - offset)
            TLSErrorQueue.clear()
            let written = SSL_write(ssl, bytes.baseAddress! + offset, Int32(slice))
            guard written > 0 else { return step(after: written) }
            offset += Int(written)
        }
        return .complete
    }

    /// Sends our close_notify (once; later calls do nothing more). `.complete` when the peer's
    /// has been received too.
    func shutdown() -> Step {
        TLSErrorQueue.clear()
        let result = SSL_shutdown(ssl)
        switch result {
        case 1: return .complete
        case 0: return .wantsInput
        default: return step(after: result)
        }
    }

    /// Tells the engine the network will bring nothing more (for a last read to report whether a
    /// close_notify came first).
    func markEndOfInput() {
        inputEnded = true
    }

    /// The step a non-positive result of `SSL_do_handshake`, `SSL_write` or `SSL_shutdown` means.
    private func step(after result: Int32) -> Step {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantsInput
        case SSL_ERROR_ZERO_RETURN:
            return .failed(TLSError(reasons: [], detail: "the peer closed the TLS session"))
        default:
            return .failed(failure())
        }
    }

    /// Drains the error queue into the error of this connection, with the verification result
    /// while a rejected certificate explains the failure.
    private func failure() -> TLSError {
        let verifyResult = Int32(SSL_get_verify_result(ssl))
        let judged = !isHandshakeComplete && verifyResult != X509_V_OK
        return TLSErrorQueue.drain(verifyResult: judged ? verifyResult : nil, fallback: "the TLS connection failed")
    }

    // MARK: What the handshake established

    /// The peer's certificate, once it has presented one.
    var peerCertificate: TLSCertificateSummary? {
        guard let x509 = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(x509) }
        return TLSCertificateSummary(x509: x509)
    }

    /// The ALPN protocol agreed on, if any.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated version ("TLSv1.3").
    var protocolVersion: String? {
        isHandshakeComplete ? String(cString: SSL_get_version(ssl)) : nil
    }

    /// The negotiated cipher suite's name.
    var cipherSuite: String? {
        guard isHandshakeComplete, let cipher = SSL_get_current_cipher(ssl) else { return nil }
        return String(cString: SSL_CIPHER_get_name(cipher))
    }

    /// The server name the client sent (SNI), as the server saw it.
    var requestedServerName: String? {
        guard let name = SSL_get_servername(ssl, Int32(TLSEXT_NAMETYPE_host_name)) else { return nil }
        return String(cString: name)
    }

    /// Passes one piece of ciphertext from the write BIO to ``output``.
    fileprivate func emit(_ bytes: UnsafeRawBufferPointer) {
        output(bytes)
    }
}

/// The read BIO of every engine: serves OpenSSL the bytes its engine was lent (see
/// ``TLSEngine/withInput(_:_:)``); with none left it says "retry" — or end of file, once the
/// engine was told the network ended.
private enum TLSInputBIO {
    static let method: TLSOutputBIO.Method = {
        guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "twist TLS input") else {
            fatalError("OpenSSL could not create a BIO method")
        }
        BIO_meth_set_read(method) { bio, data, length in
            guard let bio, let data, length > 0, let engine = BIO_get_data(bio) else { return 0 }
            tw_BIO_clear_retry_flags(bio)
            let engineObject = Unmanaged<TLSEngine>.fromOpaque(engine).takeUnretainedValue()
            let count = engineObject.supply(UnsafeMutableRawBufferPointer(start: data, count: Int(length)))
            if count > 0 { return Int32(count) }
            if engineObject.isAtEndOfInput { return 0 }
            tw_BIO_set_retry_read(bio)
            return -1
        }
        BIO_meth_set_ctrl(method) { _, command, _, _ in
            command == BIO_CTRL_FLUSH ? 1 : 0
        }
        BIO_meth_set_create(method) { bio in
            BIO_set_init(bio, 1)
            return 1
        }
        return TLSOutputBIO.Method(pointer: method)
    }()
}

/// The write BIO of every engine: a sink that hands each piece of ciphertext to its engine's
/// ``TLSEngine/output`` at once, so nothing waits in OpenSSL between the cipher and the
/// transport's write queue.
private enum TLSOutputBIO {
    /// The BIO method, made once per process.
    struct Method: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    static let method: Method = {
        guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "twist TLS output") else {
            fatalError("OpenSSL could not create a BIO method")
        }
        BIO_meth_set_write(method) { bio, data, length in
            guard let bio, let data, length > 0, let engine = BIO_get_data(bio) else { return 0 }
            Unmanaged<TLSEngine>.fromOpaque(engine).takeUnretainedValue()
                .emit(UnsafeRawBufferPointer(start: data, count: Int(length)))
            return length
        }
        BIO_meth_set_ctrl(method) { _, command, _, _ in
            // Flushing is all OpenSSL asks of a sink; everything was handed on already.
            command == BIO_CTRL_FLUSH ? 1 : 0
        }
        BIO_meth_set_create(method) { bio in
            BIO_set_init(bio, 1)
            return 1
        }
        return Method(pointer: method)
    }()
}
