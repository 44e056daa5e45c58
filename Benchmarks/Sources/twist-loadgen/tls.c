/* The load generator's TLS client: see tls.h for what it does and does not do. */
#include "tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

/* What the first connection negotiated, and how many session tickets the servers sent in all. */
static char negotiated_version[32], negotiated_cipher[64], negotiated_group[32], peer_signature[48];
static unsigned long long tickets_received;

/* A server's session (a TLS 1.3 ticket): counted, never kept, so nothing is ever resumed. */
static int on_new_session(SSL *ssl, SSL_SESSION *session) {
    (void)ssl;
    (void)session;
    tickets_received++;
    return 0; /* not kept: OpenSSL frees it */
}

static void print_errors(const char *what) {
    unsigned long e;
    char text[256];
    int any = 0;
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, text, sizeof text);
        fprintf(stderr, "twist-loadgen: %s: %s\n", what, text);
        any = 1;
    }
    if (!any) fprintf(stderr, "twist-loadgen: %s: %s\n", what, errno ? strerror(errno) : "failed");
}

SSL_CTX *tls_client_context(const char *ciphersuites, const char *groups) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx ||
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, ciphersuites) != 1 ||
        SSL_CTX_set1_groups_list(ctx, groups) != 1) {
        print_errors("TLS client context");
        errno = 0;
        fail("cannot make the TLS client context (see --tls-ciphersuites, --tls-groups)");
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); /* benchmark certificates: see tls.h */
    /* Hear about each session the server sends, keep none (no internal store, callback says no). */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* One recv brings up to 64 KiB of records (the readers loop until OpenSSL wants the socket). */
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, 65536);
    return ctx;
}

SSL *tls_attach(SSL_CTX *ctx, int fd) {
    SSL *ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1) {
        print_errors("SSL_new");
        errno = 0;
        fail("cannot make a TLS connection");
    }
    SSL_set_connect_state(ssl);
    return ssl;
}

enum tls_io tls_result(SSL *ssl, int ret, const char *what) {
    if (ret > 0) return tls_ok;
    switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ: return tls_want_read;
    case SSL_ERROR_WANT_WRITE: return tls_want_write;
    case SSL_ERROR_ZERO_RETURN: return tls_closed;
    default:
        print_errors(what);
        return tls_failed;
    }
}

void tls_close(SSL *ssl) {
    SSL_shutdown(ssl); /* queues and sends close_notify; the server's reply is not awaited */
    ERR_clear_error();
    SSL_free(ssl);
}

void tls_handshake_blocking(SSL *ssl, int fd, double timeout) {
    double end = now_s() + timeout;
    for (;;) {
        enum tls_io r = tls_result(ssl, SSL_do_handshake(ssl), "TLS handshake");
        if (r == tls_ok) break;
        if (r != tls_want_read && r != tls_want_write) {
            errno = 0;
            fail("TLS handshake failed");
        }
        struct pollfd p = {.fd = fd, .events = r == tls_want_read ? POLLIN : POLLOUT};
        if (now_s() >= end || poll(&p, 1, 1000) < 0) {
            errno = 0;
            fail("TLS handshake timed out");
        }
    }
    tls_note_session(ssl);
}

void tls_note_session(SSL *ssl) {
    if (negotiated_version[0]) return;
    snprintf(negotiated_version, sizeof negotiated_version, "%s", SSL_get_version(ssl));
    snprintf(negotiated_cipher, sizeof negotiated_cipher, "%s", SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
    int group = SSL_get_negotiated_group(ssl);
    const char *group_name = group ? OBJ_nid2sn(group & ~TLSEXT_nid_unknown) : NULL;
    snprintf(negotiated_group, sizeof negotiated_group, "%s", group_name ? group_name : "?");
    int signature = 0;
    const char *signature_name = SSL_get_peer_signature_type_nid(ssl, &signature) != 1 ? NULL
                                 : signature == EVP_PKEY_EC                            ? "ECDSA"
                                 : signature == EVP_PKEY_RSA_PSS                       ? "RSA-PSS"
                                 : signature == EVP_PKEY_RSA                           ? "RSA-PKCS1"
                                                                                       : OBJ_nid2sn(signature);
    int digest = 0;
    const char *digest_name = SSL_get_peer_signature_nid(ssl, &digest) == 1 ? OBJ_nid2sn(digest) : NULL;
    snprintf(peer_signature, sizeof peer_signature, "%s+%s", signature_name ? signature_name : "?",
             digest_name ? digest_name : "?");
}

void tls_print_json(void) {
    printf(",\"tls\":1,\"tls_version\":\"%s\",\"tls_cipher\":\"%s\",\"tls_group\":\"%s\",\"tls_peer_signature\":\"%s\","
           "\"tls_session_tickets\":%llu",
           negotiated_version, negotiated_cipher, negotiated_group, peer_signature, tickets_received);
}
