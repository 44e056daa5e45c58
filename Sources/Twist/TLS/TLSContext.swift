import COpenSSL
import TwistCore

/// A configured OpenSSL context (`SSL_CTX`): built once from ``TLSServerOptions`` or
/// ``TLSClientOptions`` and shared by every connection made with it, on any reactor (OpenSSL
/// allows a configured context to be shared; Twist never changes one after building it). Loading
/// the system trust store costs tens of milliseconds, so build contexts at start-up, not per
/// connection.
///
/// What every context has, whatever the options (Twisted's always-on settings): no SSLv3 or
/// older, no TLS compression, no renegotiation, the server's cipher preference, a verify depth
/// of 9, and idle buffers released.
public final class TLSContext: @unchecked Sendable {
    /// Which end a context is for.
    public enum Role: Sendable {
        /// Accepts handshakes (a listening port's connections).
        case server
        /// Starts handshakes (connections we make).
        case client
    }

    /// The context's role, fixed when it was built.
    public let role: Role

    /// The handshake limit connections made with this context get (seconds; nil: none).
    public let handshakeTimeout: Double?

    /// The close_notify wait connections made with this context get (seconds; nil: none).
    public let shutdownTimeout: Double?

    /// The client's verification mode (``TLSServerVerification/full`` for a server context, where
    /// it does not apply).
    let verification: TLSServerVerification

    /// The configured `SSL_CTX`; freed with the context (connections hold their own references).
    let handle: OpaquePointer

    /// A server's choice of context by SNI name, if it has one.
    let serverNameSelector: (@Sendable (String) -> TLSContext?)?

    /// A server's ALPN preference list in wire form (length-prefixed names), kept alive as long as
    /// the `SSL_CTX` whose selection callback reads it.
    let alpnWireList: [UInt8]

    /// Twisted's default cipher preference for TLS 1.2, as an OpenSSL cipher string: forward-secret
    /// AES-GCM and ChaCha20 first, then AES-256 and AES-128 with forward secrecy, plain-RSA AES
    /// last; never anonymous, MD5 or DSS suites.
    public static let defaultCipherList =
        "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS"

    /// A server context.
    ///
    /// - Throws: ``TLSError`` when OpenSSL rejects a setting: a key that does not match the
    ///   certificate, a cipher list that selects nothing, a version range that is empty,
    ///   Diffie-Hellman parameters it refuses (too small for its security level).
    public convenience init(_ options: TLSServerOptions) throws {
        try self.init(
            role: .server, minimum: options.minimumVersion, maximum: options.maximumVersion,
            cipherList: options.cipherList, protocols: options.acceptableProtocols, verification: .full,
            handshakeTimeout: options.handshakeTimeout, shutdownTimeout: options.shutdownTimeout,
            serverNameSelector: options.contextForServerName
        )
        try install(options.identity)
        switch options.clientCertificates {
        case .none:
            SSL_CTX_set_verify(handle, SSL_VERIFY_NONE, nil)
        case .request(let roots):
            try trust(roots)
            SSL_CTX_set_verify(handle, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, nil)
        case .require(let roots):
            try trust(roots)
            SSL_CTX_set_verify(handle, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE, nil)
        }
        if let parameters = options.dhParameters {
            // The context takes ownership of the reference it is given: hand it one of its own.
            EVP_PKEY_up_ref(parameters.storage.pointer)
            guard SSL_CTX_set0_tmp_dh_pkey(handle, parameters.storage.pointer) == 1 else {
                EVP_PKEY_free(parameters.storage.pointer)
                throw TLSErrorQueue.setupError("cannot use the Diffie-Hellman parameters")
            }
        }
        if !options.enableSessionTickets {
            SSL_CTX_set_options(handle, tw_SSL_OP_NO_TICKET())
            SSL_CTX_set_num_tickets(handle, 0)
        }
        _ = tw_SSL_CTX_set_session_cache_mode(handle, Int(SSL_SESS_CACHE_OFF))
        // A session-id context is needed as soon as client certificates are in play; a random one
        // keeps sessions of different servers apart.
        var sessionContext = [UInt8](repeating: 0, count: 32)
        RAND_bytes(&sessionContext, Int32(sessionContext.count))
        SSL_CTX_set_session_id_context(handle, sessionContext, UInt32(sessionContext.count))
        if !alpnWireList.isEmpty {
            SSL_CTX_set_alpn_select_cb(handle, TLSContext.selectALPN, Unmanaged.passUnretained(self).toOpaque())
        }
        if serverNameSelector != nil {
            _ = tw_SSL_CTX_set_tlsext_servername_callback(handle, TLSContext.selectByServerName)
            _ = tw_SSL_CTX_set_tlsext_servername_arg(handle, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    /// A client context.
    ///
    /// - Throws: ``TLSError`` when OpenSSL rejects a setting or the trust roots cannot be loaded.
    public convenience init(_ options: TLSClientOptions) throws {
        try self.init(
            role: .client, minimum: options.minimumVersion, maximum: options.maximumVersion,
            cipherList: options.cipherList, protocols: options.acceptableProtocols,
            verification: options.verification,
            handshakeTimeout: options.handshakeTimeout, shutdownTimeout: options.shutdownTimeout,
            serverNameSelector: nil
        )
        if let identity = options.identity { try install(identity) }
        switch options.verification {
        case .full, .noHostnameVerification:
            try trust(options.trustRoots)
            SSL_CTX_set_verify(handle, SSL_VERIFY_PEER, nil)
        case .insecureNoVerification:
            SSL_CTX_set_verify(handle, SSL_VERIFY_NONE, nil)
        }
        if !alpnWireList.isEmpty {
            // The one OpenSSL call that returns 0 on success.
            guard SSL_CTX_set_alpn_protos(handle, alpnWireList, UInt32(alpnWireList.count)) == 0 else {
                throw TLSErrorQueue.setupError("cannot set the ALPN protocols")
            }
        }
    }

    /// The settings both roles share.
    private init(
        role: Role, minimum: TLSVersion, maximum: TLSVersion?, cipherList: String?, protocols: [String],
        verification: TLSServerVerification, handshakeTimeout: Double?, shutdownTimeout: Double?,
        serverNameSelector: (@Sendable (String) -> TLSContext?)?
    ) throws {
        TLSErrorQueue.clear()
        guard let handle = SSL_CTX_new(role == .server ? TLS_server_method() : TLS_client_method()) else {
            throw TLSErrorQueue.setupError("cannot create a TLS context")
        }
        self.handle = handle
        self.role = role
        self.verification = verification
        self.handshakeTimeout = handshakeTimeout
        self.shutdownTimeout = shutdownTimeout
        self.serverNameSelector = serverNameSelector
        self.alpnWireList = try Self.wireList(protocols)
        if let maximum, maximum < minimum {
            throw TLSError(reasons: [], detail: "the minimum TLS version is above the maximum")
        }
        SSL_CTX_set_options(
            handle,
            tw_SSL_OP_NO_SSLv3() | tw_SSL_OP_NO_COMPRESSION() | tw_SSL_OP_NO_RENEGOTIATION()
                | tw_SSL_OP_CIPHER_SERVER_PREFERENCE()
        )
        _ = tw_SSL_CTX_set_mode(handle, Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        SSL_CTX_set_verify_depth(handle, 9)
        guard tw_SSL_CTX_set_min_proto_version(handle, Int32(minimum.rawValue)) == 1,
            tw_SSL_CTX_set_max_proto_version(handle, Int32(maximum?.rawValue ?? 0)) == 1
        else {
            throw TLSErrorQueue.setupError("cannot set the TLS version range")
        }
        guard SSL_CTX_set_cipher_list(handle, cipherList ?? Self.defaultCipherList) == 1 else {
            throw TLSErrorQueue.setupError("no cipher matches \"\(cipherList ?? Self.defaultCipherList)\"")
        }
    }

    deinit {
        SSL_CTX_free(handle)
    }

    /// Uses `identity` as this end's certificate chain and key.
    private func install(_ identity: TLSIdentity) throws {
        TLSErrorQueue.clear()
        guard SSL_CTX_use_certificate(handle, identity.certificateChain[0].storage.pointer) == 1 else {
            throw TLSErrorQueue.setupError("cannot use the certificate")
        }
        for intermediate in identity.certificateChain.dropFirst() {
            // The context takes ownership of the reference it is given: hand it one of its own.
            X509_up_ref(intermediate.storage.pointer)
            guard tw_SSL_CTX_add_extra_chain_cert(handle, intermediate.storage.pointer) == 1 else {
                X509_free(intermediate.storage.pointer)
                throw TLSErrorQueue.setupError("cannot add an intermediate certificate")
            }
        }
        guard SSL_CTX_use_PrivateKey(handle, identity.privateKey.storage.pointer) == 1 else {
            throw TLSErrorQueue.setupError("cannot use the private key")
        }
        guard SSL_CTX_check_private_key(handle) == 1 else {
            throw TLSErrorQueue.setupError("the private key does not match the certificate")
        }
    }

    /// Makes `roots` the anchors the peer's chain must lead to.
    private func trust(_ roots: TLSTrustRoots) throws {
        TLSErrorQueue.clear()
        switch roots {
        case .system:
            guard SSL_CTX_set_default_verify_paths(handle) == 1 else {
                throw TLSErrorQueue.setupError("cannot load the system trust store")
            }
        case .certificates(let certificates):
            guard let store = SSL_CTX_get_cert_store(handle) else {
                throw TLSErrorQueue.setupError("the context has no certificate store")
            }
            for certificate in certificates where X509_STORE_add_cert(store, certificate.storage.pointer) != 1 {
                // The same anchor given twice is harmless; anything else is an error.
                if ERR_GET_REASON(ERR_peek_last_error()) != X509_R_CERT_ALREADY_IN_HASH_TABLE {
                    throw TLSErrorQueue.setupError("cannot add a trust root")
                }
                TLSErrorQueue.clear()
            }
        }
    }

    /// `names` in ALPN's wire form: each name preceded by its length in one byte.
    private static func wireList(_ names: [String]) throws -> [UInt8] {
        var wire: [UInt8] = []
        for name in names {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else {
                throw TLSError(reasons: [], detail: "an ALPN protocol name must be 1 to 255 bytes: \"\(name)\"")
            }
            wire.append(UInt8(bytes.count))
            wire += bytes
        }
        return wire
    }

    /// The server's choice of context for the name the client sent: the selector's context, if it
    /// returns one, replaces this one for the connection (which keeps it alive).
    private static let selectByServerName: @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?
    ) -> Int32 = { ssl, _, argument in
        guard let ssl, let argument, let name = SSL_get_servername(ssl, Int32(TLSEXT_NAMETYPE_host_name)) else {
            return SSL_TLSEXT_ERR_OK
        }
        let context = Unmanaged<TLSContext>.fromOpaque(argument).takeUnretainedValue()
        guard let chosen = context.serverNameSelector?(String(cString: name)), chosen !== context else {
            return SSL_TLSEXT_ERR_OK
        }
        guard chosen.role == .server, SSL_set_SSL_CTX(ssl, chosen.handle) != nil else {
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
        TLSEngine.of(ssl)?.serverNameContext = chosen
        return SSL_TLSEXT_ERR_OK
    }

    /// The server's ALPN choice: the first name of its own list that the client offered. No
    /// overlap fails the handshake with RFC 7301's no_application_protocol alert.
    private static let selectALPN: @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
        UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
    ) -> Int32 = { _, selected, selectedLength, offered, offeredLength, argument in
        guard let argument, let selected, let selectedLength, let offered else { return SSL_TLSEXT_ERR_ALERT_FATAL }
        let context = Unmanaged<TLSContext>.fromOpaque(argument).takeUnretainedValue()
        let ours = context.alpnWireList
        let theirs = UnsafeBufferPointer(start: offered, count: Int(offeredLength))
        return ours.withUnsafeBufferPointer { own -> Int32 in
            var ownIndex = 0
            while ownIndex < own.count {
                let length = Int(own[ownIndex])
                let name = own[(ownIndex + 1)..<(ownIndex + 1 + length)]
                var theirIndex = 0
                while theirIndex < theirs.count {
                    let theirLength = Int(theirs[theirIndex])
                    guard theirIndex + 1 + theirLength <= theirs.count else { break }
                    if theirLength == length, theirs[(theirIndex + 1)..<(theirIndex + 1 + theirLength)].elementsEqual(name) {
                        // Point into the client's list, which lives until the callback's caller is done.
                        selected.pointee = offered + theirIndex + 1
                        selectedLength.pointee = UInt8(theirLength)
                        return SSL_TLSEXT_ERR_OK
                    }
                    theirIndex += 1 + theirLength
                }
                ownIndex += 1 + length
            }
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
    }
}
