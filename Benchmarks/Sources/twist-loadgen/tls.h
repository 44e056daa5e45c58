/*
 * The load generator's TLS client (the system's OpenSSL 3), used by echo and connrate with --tls.
 *
 * What a benchmark client needs and no more: TLS 1.3 only, one cipher suite and one key-exchange
 * group offered (so every server negotiates the same ones: X25519 and TLS_AES_256_GCM_SHA384 by
 * default), NO certificate verification (the servers' certificates are throw-away self-signed
 * ones made by twist-bench; verification would only add the same client-side cost to every
 * peer), and no session resumption: sessions and tickets the server sends are counted and
 * dropped, so every connection is a full handshake. Closing sends close_notify (one
 * SSL_shutdown call, not waiting for the server's reply) and then closes the socket.
 */
#ifndef TWIST_LOADGEN_TLS_H
#define TWIST_LOADGEN_TLS_H

#include <openssl/ssl.h>

#include "loadgen.h"

/** What one non-blocking OpenSSL call came to. */
enum tls_io {
    tls_ok,          /* it completed (or made progress: the return value says how much) */
    tls_want_read,   /* wait until the socket is readable, then call again */
    tls_want_write,  /* wait until the socket is writable, then call again */
    tls_closed,      /* the server sent close_notify */
    tls_failed,      /* anything else; the reason was printed on stderr */
};

/** The client context every connection of the run shares; exits (status 2) if it cannot be made. */
SSL_CTX *tls_client_context(const char *ciphersuites, const char *groups);

/** A client connection over the connected (or connecting) non-blocking socket `fd`. */
SSL *tls_attach(SSL_CTX *ctx, int fd);

/** Classifies the return value `ret` of SSL_do_handshake / SSL_read / SSL_write on `ssl`. */
enum tls_io tls_result(SSL *ssl, int ret, const char *what);

/** Sends close_notify (without waiting for the server's) and frees the connection. */
void tls_close(SSL *ssl);

/** Runs the handshake of `ssl` to completion, polling its socket (echo mode's set-up). */
void tls_handshake_blocking(SSL *ssl, int fd, double timeout);

/** Notes what `ssl` negotiated (the first call only), for tls_print_json. */
void tls_note_session(SSL *ssl);

/** Appends ,"tls_version":…,"tls_cipher":…,… to the JSON line being printed on stdout. */
void tls_print_json(void);

#endif
