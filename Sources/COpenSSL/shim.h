// The system's OpenSSL 3 (Debian's libssl-dev) as Swift sees it. Everything that is a real function
// or a plain constant imports directly; what follows wraps, one line each, only the macros Swift
// cannot import (function-like macros over SSL_ctrl / BIO_ctrl, and the SSL_OP_* constants that
// OpenSSL 3 builds from a cast). Nothing else lives here.
#ifndef TWIST_COPENSSL_SHIM_H
#define TWIST_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/rand.h>

// Context and connection controls.
static inline long tw_SSL_CTX_set_mode(SSL_CTX *c, long m) { return SSL_CTX_set_mode(c, m); }
static inline int tw_SSL_CTX_set_min_proto_version(SSL_CTX *c, int v) { return (int)SSL_CTX_set_min_proto_version(c, v); }
static inline int tw_SSL_CTX_set_max_proto_version(SSL_CTX *c, int v) { return (int)SSL_CTX_set_max_proto_version(c, v); }
static inline long tw_SSL_CTX_add_extra_chain_cert(SSL_CTX *c, X509 *x) { return SSL_CTX_add_extra_chain_cert(c, x); }
static inline long tw_SSL_CTX_set_session_cache_mode(SSL_CTX *c, long m) { return SSL_CTX_set_session_cache_mode(c, m); }
static inline int tw_SSL_set_tlsext_host_name(SSL *s, const char *n) { return (int)SSL_set_tlsext_host_name(s, n); }

// The server-name (SNI) callback and its argument.
static inline long tw_SSL_CTX_set_tlsext_servername_callback(SSL_CTX *c, int (*cb)(SSL *, int *, void *)) {
    return SSL_CTX_set_tlsext_servername_callback(c, cb);
}
static inline long tw_SSL_CTX_set_tlsext_servername_arg(SSL_CTX *c, void *a) { return SSL_CTX_set_tlsext_servername_arg(c, a); }

// An index for a connection's own data (the Swift engine behind an SSL).
static inline int tw_SSL_get_ex_new_index(void) { return SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL); }

// BIOs: peeking into a memory BIO, and the retry flags of a BIO of our own.
static inline long tw_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
static inline void tw_BIO_set_retry_read(BIO *b) { BIO_set_retry_read(b); }
static inline void tw_BIO_clear_retry_flags(BIO *b) { BIO_clear_retry_flags(b); }

// Options (OpenSSL 3 defines every SSL_OP_* through a uint64_t cast the importer rejects).
static inline uint64_t tw_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t tw_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t tw_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t tw_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t tw_SSL_OP_NO_SSLv3(void) { return SSL_OP_NO_SSLv3; }

// Name printing flags (a composite of casts).
static inline unsigned long tw_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }

// Memory that OpenSSL allocated (X509_NAME_oneline, i2d_X509 with a null buffer, ...).
static inline void tw_OPENSSL_free(void *p) { OPENSSL_free(p); }

#endif
