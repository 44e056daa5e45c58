/*
 * libev-echo-peer: a netstring (or raw byte) echo server written directly on libev, the practical
 * ceiling for one core in twist-bench. One loop; every read goes into one shared buffer and is
 * parsed in place; the echoes of all complete netstrings in it are re-encoded into one shared
 * buffer and sent in one call. Only what cannot be handled at once is copied to the connection:
 * a partial netstring (its read buffer) and bytes the socket would not take (its write queue,
 * flushed by a write watcher). An idle connection therefore holds no buffer at all.
 *
 *   libev-echo-peer [--port N | --unix PATH] [--mode netstring|raw] [--tls-cert PEM --tls-key PEM]
 *   libev-echo-peer --udp [--port N]
 *
 * With --udp it is a UDP echo server on 127.0.0.1 instead (recvmmsg and sendmmsg; udp.c).
 *
 * With --tls-cert and --tls-key every connection is TLS (the system's OpenSSL 3). OpenSSL reads
 * the non-blocking socket itself (a socket BIO with read-ahead and a 64 KiB read buffer, so one
 * recv brings several records, decrypted in place) and SSL_read decrypts into the same shared
 * read buffer; it writes its records into a BIO pair (96 KiB), whose ciphertext is sent straight
 * from the pair's buffer (BIO_nread0) in one send per readiness event, once every record of that
 * event's reads has been answered. Only what the pair cannot take is queued, as plaintext, on the
 * connection (its write queue, as without TLS). The context is set up as Twist's
 * server context is (TLS 1.2 and up, no session tickets or cache, no compression or
 * renegotiation, server cipher preference) so both servers do the same cryptographic work.
 * A client's close_notify is answered with close_notify before the socket is closed.
 *
 * Prints "PORT <n>" as its first line, then serves 127.0.0.1 until SIGTERM or SIGINT. With
 * --unix it listens on that UNIX socket instead (a stale file there is removed first), prints
 * "UNIX <path>" as its first line, and removes the socket file when it stops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "udp.h"

enum {
    read_chunk = 65536,           /* room made for each read */
    max_reads = 4,                /* reads per readiness event */
    max_string = 1 << 20,         /* longest netstring accepted */
    high_water = 1 << 20,         /* queued bytes above which reading pauses */
};

struct conn {
    ev_io reader, writer;  /* first, so a watcher pointer is also the connection's */
    int fd;
    SSL *ssl;              /* with --tls-cert: the connection's TLS server; else NULL */
    int tls_clean;         /* 0 after a TLS error: no close_notify then */
    int read_wants_write;  /* SSL_read asked to wait for writability: retry it from on_writable */
    BIO *network;          /* TLS: our end of the BIO pair OpenSSL writes its records into */
    int cipher_pending;    /* TLS: ciphertext in the pair that the socket would not take yet */
    uint8_t *in;           /* a partial netstring: in[0..<in_len] */
    size_t in_len, in_cap;
    uint8_t *out;          /* write queue: out[out_off..<out_len] */
    size_t out_off, out_len, out_cap;
};

static int raw_mode;
static int unix_mode;  /* listening on a UNIX socket: no TCP options on accepted sockets */
static SSL_CTX *tls_context;  /* the server context, built once, when --tls-cert is given */

/* Receives like recv(2), through TLS when the connection has it (errno EAGAIN: wait). */
static ssize_t conn_recv(struct ev_loop *loop, struct conn *c, uint8_t *buffer, size_t size) {
    if (!c->ssl) return recv(c->fd, buffer, size, 0);
    int n = SSL_read(c->ssl, buffer, (int)size);
    if (n > 0) return n;
    switch (SSL_get_error(c->ssl, n)) {
    case SSL_ERROR_WANT_READ: errno = EAGAIN; return -1;
    case SSL_ERROR_WANT_WRITE:
        c->read_wants_write = 1;
        ev_io_start(loop, &c->writer);
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN: return 0; /* close_notify: answered in conn_close */
    default:
        c->tls_clean = 0;
        ERR_clear_error();
        errno = ECONNRESET;
        return -1;
    }
}

/* Sends like send(2), through TLS when the connection has it (errno EAGAIN: wait). */
static ssize_t conn_send(struct conn *c, const uint8_t *data, size_t n) {
    if (!c->ssl) return send(c->fd, data, n, MSG_NOSIGNAL);
    int w = SSL_write(c->ssl, data, n > 1 << 30 ? 1 << 30 : (int)n);
    if (w > 0) return w;
    switch (SSL_get_error(c->ssl, w)) {
    case SSL_ERROR_WANT_WRITE:
    case SSL_ERROR_WANT_READ: errno = EAGAIN; return -1;
    default:
        c->tls_clean = 0;
        ERR_clear_error();
        errno = EPIPE;
        return -1;
    }
}

/*
 * Sends the ciphertext waiting in the connection's BIO pair, straight from the pair's buffer;
 * whatever the socket does not take waits there for the write watcher. -1 on failure.
 */
static int tls_drain(struct ev_loop *loop, struct conn *c) {
    char *p;
    int n;
    while ((n = BIO_nread0(c->network, &p)) > 0) {
        ssize_t w = send(c->fd, p, (size_t)n, MSG_NOSIGNAL);
        if (w > 0) {
            BIO_nread(c->network, &p, (int)w);
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->cipher_pending = 1;
            ev_io_start(loop, &c->writer);
            return 0;
        } else if (!(w < 0 && errno == EINTR)) {
            return -1;
        }
    }
    c->cipher_pending = 0;
    return 0;
}

/* The server context: as Twist's (see the header comment); exits if the files are unusable. */
static SSL_CTX *make_tls_context(const char *cert, const char *key) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        fprintf(stderr, "libev-echo-peer: cannot use %s and %s:\n", cert, key);
        ERR_print_errors_fp(stderr);
        exit(1);
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, 65536);
    return ctx;
}

static void *grow(void *p, size_t *cap, size_t need) {
    if (need <= *cap) return p;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    p = realloc(p, c);
    if (!p) {
        perror("libev-echo-peer: realloc");
        exit(1);
    }
    *cap = c;
    return p;
}

static void conn_close(struct ev_loop *loop, struct conn *c) {
    if (c->ssl) {
        if (c->tls_clean && SSL_is_init_finished(c->ssl)) {
            SSL_shutdown(c->ssl); /* our close_notify, sent if the socket takes it now */
            tls_drain(loop, c);
        }
        ERR_clear_error();
        SSL_free(c->ssl);
        BIO_free(c->network);
    }
    ev_io_stop(loop, &c->reader);
    ev_io_stop(loop, &c->writer);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

/* Makes room for `n` more queued bytes, dropping what has been written already. */
static void out_reserve(struct conn *c, size_t n) {
    if (c->out_off > 0 && c->out_len + n > c->out_cap) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    c->out = grow(c->out, &c->out_cap, c->out_len + n);
}

/* Writes what is queued; returns -1 if the connection failed. */
static int flush(struct ev_loop *loop, struct conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t w = conn_send(c, c->out + c->out_off, c->out_len - c->out_off);
        if (w > 0) {
            c->out_off += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            ev_io_start(loop, &c->writer);
            if (c->out_len - c->out_off > high_water) ev_io_stop(loop, &c->reader);
            return 0;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else {
            return -1;
        }
    }
    c->out_off = c->out_len = 0;
    if (!c->read_wants_write && !c->cipher_pending) ev_io_stop(loop, &c->writer);
    if (!ev_is_active(&c->reader)) {
        ev_io_start(loop, &c->reader);
        /* Plaintext OpenSSL already holds would never make the socket readable again. */
        if (c->ssl && SSL_has_pending(c->ssl)) ev_feed_event(loop, &c->reader, EV_READ);
    }
    return 0;
}

/*
 * Sends `n` bytes: at once when nothing is queued (the common case, no copy into the connection),
 * else behind what is queued; whatever the socket does not take is queued. -1 on failure.
 */
static int send_or_queue(struct ev_loop *loop, struct conn *c, const uint8_t *data, size_t n) {
    if (c->out_off == c->out_len) {
        while (n > 0) {
            ssize_t w = conn_send(c, data, n);
            if (w > 0) {
                data += w;
                n -= (size_t)w;
            } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                break;
            } else if (!(w < 0 && errno == EINTR)) {
                return -1;
            }
        }
        if (n == 0) return 0;
        c->out_off = c->out_len = 0;
    }
    out_reserve(c, n);
    memcpy(c->out + c->out_len, data, n);
    c->out_len += n;
    return flush(loop, c);
}

/* Every read lands here; only a partial netstring left at its end is copied to the connection. */
static uint8_t read_buffer[read_chunk];
/* The echoes of one read, built here and sent in one call. */
static uint8_t *echo_buffer;
static size_t echo_len, echo_cap;

/*
 * Parses the complete netstrings in data[0..<len] and appends each one's echo (re-encoded) to
 * echo_buffer. Returns how many bytes were consumed, or -1 on bad input.
 */
static long parse_netstrings(const uint8_t *data, size_t len) {
    size_t pos = 0;
    while (pos < len) {
        size_t n = 0, i = pos;
        while (i < len && data[i] >= '0' && data[i] <= '9') {
            n = n * 10 + (size_t)(data[i] - '0');
            if (n > max_string || i - pos > 8) return -1;
            i++;
        }
        if (i == len) break;                  /* length not complete yet */
        if (i == pos || data[i] != ':') return -1;
        size_t body = i + 1;
        if (len - body < n + 1) break;        /* payload not complete yet */
        if (data[body + n] != ',') return -1;
        char header[16];
        size_t h = (size_t)snprintf(header, sizeof header, "%zu:", n);
        echo_buffer = grow(echo_buffer, &echo_cap, echo_len + h + n + 1);
        memcpy(echo_buffer + echo_len, header, h);
        memcpy(echo_buffer + echo_len + h, data + body, n);
        echo_buffer[echo_len + h + n] = ',';
        echo_len += h + n + 1;
        pos = body + n + 1;
    }
    return (long)pos;
}

/* Handles one read's bytes; -1 when the connection must close. */
static int handle(struct ev_loop *loop, struct conn *c, const uint8_t *data, size_t n) {
    if (raw_mode) return send_or_queue(loop, c, data, n);
    if (c->in_len > 0) {                      /* a partial netstring was waiting: join them */
        c->in = grow(c->in, &c->in_cap, c->in_len + n);
        memcpy(c->in + c->in_len, data, n);
        c->in_len += n;
        data = c->in;
        n = c->in_len;
    }
    echo_len = 0;
    long used = parse_netstrings(data, n);
    if (used < 0) return -1;
    size_t rest = n - (size_t)used;
    if (data == c->in) {
        memmove(c->in, c->in + used, rest);
    } else if (rest > 0) {
        c->in = grow(c->in, &c->in_cap, rest);
        memcpy(c->in, data + used, rest);
    }
    c->in_len = rest;
    return echo_len > 0 ? send_or_queue(loop, c, echo_buffer, echo_len) : 0;
}

static void on_readable(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    struct conn *c = (struct conn *)w;
    /* Through TLS each read is one record: read until OpenSSL needs the socket again. */
    for (int reads = 0; c->ssl || reads < max_reads; reads++) {
        ssize_t n = conn_recv(loop, c, read_buffer, sizeof read_buffer);
        if (n > 0) {
            if (handle(loop, c, read_buffer, (size_t)n) != 0) {
                conn_close(loop, c);
                return;
            }
            if ((!c->ssl && (size_t)n < sizeof read_buffer) || !ev_is_active(&c->reader)) break;
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            conn_close(loop, c);
            return;
        } else {
            break;
        }
    }
    /* Every record of these reads answered: send their ciphertext (and any handshake flight). */
    if (c->ssl && tls_drain(loop, c) != 0) conn_close(loop, c);
}

static void on_writable(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    struct conn *c = (struct conn *)((char *)w - offsetof(struct conn, writer));
    if (c->ssl) {
        if (tls_drain(loop, c) != 0) {
            conn_close(loop, c);
            return;
        }
        if (c->cipher_pending) return;
    }
    if (c->read_wants_write) {
        c->read_wants_write = 0;
        on_readable(loop, &c->reader, EV_READ);  /* may close c: the flush comes from its echo */
        return;
    }
    if (flush(loop, c) != 0 || (c->ssl && tls_drain(loop, c) != 0)) {
        conn_close(loop, c);
        return;
    }
    if (!c->read_wants_write && !c->cipher_pending && c->out_off == c->out_len) ev_io_stop(loop, &c->writer);
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents) {
    (void)revents;
    for (int i = 0; i < 64; i++) {
        int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR)
                perror("libev-echo-peer: accept4");
            return;
        }
        if (!unix_mode) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            return;
        }
        c->fd = fd;
        if (tls_context) {
            BIO *socket_bio = BIO_new_socket(fd, BIO_NOCLOSE), *internal = NULL;
            c->ssl = SSL_new(tls_context);
            if (!c->ssl || !socket_bio || BIO_new_bio_pair(&internal, 96 * 1024, &c->network, 1) != 1) {
                ERR_clear_error();
                SSL_free(c->ssl);
                BIO_free(socket_bio);
                close(fd);
                free(c);
                return;
            }
            SSL_set_bio(c->ssl, socket_bio, internal); /* reads from the socket, writes into the pair */
            SSL_set_accept_state(c->ssl);
            c->tls_clean = 1;
        }
        ev_io_init(&c->reader, on_readable, fd, EV_READ);
        ev_io_init(&c->writer, on_writable, fd, EV_WRITE);
        ev_io_start(loop, &c->reader);
    }
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents) {
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

static void usage(void) {
    fprintf(stderr, "usage: libev-echo-peer [--port N | --unix PATH] [--mode netstring|raw] [--tls-cert PEM --tls-key PEM]\n"
                    "       libev-echo-peer --udp [--port N]\n");
    exit(2);
}

/* Listens on 127.0.0.1:port (0: any free port) and prints "PORT <n>"; the socket, or -1. */
static int listen_tcp(int port) {
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 1024) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    printf("PORT %d\n", ntohs(sa.sin_port));
    return lfd;
}

/* Listens on the UNIX socket `path` (removing a stale file first) and prints "UNIX <path>". */
static int listen_unix(const char *path) {
    struct sockaddr_un su = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof su.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(su.sun_path, path, strlen(path));
    unlink(path);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&su, sizeof su) != 0 || listen(lfd, 1024) != 0) return -1;
    printf("UNIX %s\n", path);
    return lfd;
}

int main(int argc, char **argv) {
    int port = 0;
    const char *unix_path = NULL, *tls_cert = NULL, *tls_key = NULL;
    int udp = 0;
    for (int i = 1; i < argc; i += 2) {
        if (!strcmp(argv[i], "--udp")) {
            udp = 1;
            i--;
            continue;
        }
        if (i + 1 >= argc) usage();
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--unix")) unix_path = argv[i + 1];
        else if (!strcmp(argv[i], "--mode")) raw_mode = !strcmp(argv[i + 1], "raw");
        else if (!strcmp(argv[i], "--tls-cert")) tls_cert = argv[i + 1];
        else if (!strcmp(argv[i], "--tls-key")) tls_key = argv[i + 1];
        else usage();
    }
    if (!tls_cert != !tls_key || (udp && (tls_cert || unix_path))) usage();
    if (tls_cert) tls_context = make_tls_context(tls_cert, tls_key);
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    if (udp) {
        struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOENV);
        ev_signal term, intr;
        ev_signal_init(&term, on_signal, SIGTERM);
        ev_signal_init(&intr, on_signal, SIGINT);
        ev_signal_start(loop, &term);
        ev_signal_start(loop, &intr);
        if (serve_udp(loop, port) != 0) {
            perror("libev-echo-peer: UDP socket");
            return 1;
        }
        return 0;
    }

    unix_mode = unix_path != NULL;
    int lfd = unix_mode ? listen_unix(unix_path) : listen_tcp(port);
    if (lfd < 0) {
        perror("libev-echo-peer: listen");
        return 1;
    }
    fflush(stdout);

    struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOENV);
    ev_io acceptor;
    ev_io_init(&acceptor, on_accept, lfd, EV_READ);
    ev_io_start(loop, &acceptor);
    ev_signal term, intr;
    ev_signal_init(&term, on_signal, SIGTERM);
    ev_signal_init(&intr, on_signal, SIGINT);
    ev_signal_start(loop, &term);
    ev_signal_start(loop, &intr);
    ev_run(loop, 0);
    close(lfd);
    if (unix_mode) unlink(unix_path);
    return 0;
}
