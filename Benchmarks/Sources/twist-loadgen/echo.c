/*
 * Echo mode: N connections, P messages in flight on each, payload S bytes. Every echoed byte is
 * checked; a message's latency runs from the moment it is queued to the moment its last byte is
 * back. Warm-up first, then a fixed measured window. With --tls each connection completes its
 * handshake before the run starts, then reads and writes through non-blocking SSL_read/SSL_write
 * (WANT_READ / WANT_WRITE mapped onto the same epoll interest).
 */
#include "loadgen.h"
#include "tls.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct econn {
    int fd;
    SSL *ssl;                /* with --tls: the connection's TLS client; else NULL */
    uint32_t id;
    uint64_t send_seq, recv_seq;
    size_t recv_off;         /* bytes of frame recv_seq already received */
    uint8_t *out;            /* bytes queued for sending: out[out_off..<out_len] */
    size_t out_off, out_len, out_cap;
    double *sent_at;         /* ring of P send times, by sequence number */
    int writing;             /* EPOLLOUT is armed */
};

struct echo_run {
    const struct options *o;
    struct frames f;
    struct econn *c;
    int ep;
    int sending;
    double t_measure, t_end;
    uint64_t measured, total;
    struct histogram h;
};

static void enqueue(struct echo_run *r, struct econn *c, double now) {
    size_t need = c->out_len + r->f.frame_len;
    if (need > c->out_cap) {
        if (c->out_off > 0) {
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off;
            c->out_off = 0;
            need = c->out_len + r->f.frame_len;
        }
        if (need > c->out_cap) {
            c->out_cap = need * 2;
            c->out = realloc(c->out, c->out_cap);
            if (!c->out) fail("realloc send buffer");
        }
    }
    frames_write(&r->f, c->out + c->out_len, c->id, c->send_seq);
    c->out_len += r->f.frame_len;
    c->sent_at[c->send_seq % (uint64_t)r->o->inflight] = now;
    c->send_seq++;
}

static void set_writing(struct echo_run *r, struct econn *c, int on) {
    if (c->writing == on) return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(r->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) fail("epoll_ctl MOD");
    c->writing = on;
}

/* Writes what is queued through TLS; waits for EPOLLOUT when OpenSSL cannot write more. */
static void flush_tls(struct echo_run *r, struct econn *c) {
    while (c->out_off < c->out_len) {
        size_t left = c->out_len - c->out_off;
        int w = SSL_write(c->ssl, c->out + c->out_off, left > 1 << 30 ? 1 << 30 : (int)left);
        switch (tls_result(c->ssl, w, "SSL_write")) {
        case tls_ok: c->out_off += (size_t)w; break;
        case tls_want_write: set_writing(r, c, 1); return;
        case tls_want_read: return; /* resumed by the next readable event, which flushes */
        default: errno = 0; fail("TLS write to the server");
        }
    }
    c->out_off = c->out_len = 0;
    set_writing(r, c, 0);
}

static void flush(struct echo_run *r, struct econn *c) {
    if (c->ssl) {
        flush_tls(r, c);
        return;
    }
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w > 0) {
            c->out_off += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            set_writing(r, c, 1);
            return;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else {
            fail("send to the server");
        }
    }
    c->out_off = c->out_len = 0;
    set_writing(r, c, 0);
}

/* Consumes received bytes; returns -1 when they differ from what was sent. */
static int consume(struct echo_run *r, struct econn *c, const uint8_t *data, size_t n, double now) {
    size_t frame_len = r->f.frame_len;
    while (n > 0) {
        size_t m = frame_len - c->recv_off;
        if (m > n) m = n;
        if (frames_check(&r->f, data, m, c->recv_off, c->id, c->recv_seq) != 0) return -1;
        c->recv_off += m;
        data += m;
        n -= m;
        if (c->recv_off == frame_len) {
            c->recv_off = 0;
            double sent = c->sent_at[c->recv_seq % (uint64_t)r->o->inflight];
            if (now >= r->t_measure && now < r->t_end) {
                histogram_record(&r->h, (uint64_t)((now - sent) * 1e9));
                r->measured++;
            }
            r->total++;
            c->recv_seq++;
            if (r->sending) enqueue(r, c, now);
        }
    }
    return 0;
}

static uint8_t inbuf[1 << 18];

static void consume_or_exit(struct echo_run *r, struct econn *c, size_t n) {
    if (consume(r, c, inbuf, n, now_s()) != 0) {
        fprintf(stderr, "twist-loadgen: connection %u: echo of message %llu differs from what was sent\n",
                c->id, (unsigned long long)c->recv_seq);
        printf("{\"error\":\"echo mismatch\"}\n");
        exit(1);
    }
}

/* Decrypts until OpenSSL needs more from the socket (SSL_read returns one record at a time). */
static void on_readable_tls(struct echo_run *r, struct econn *c) {
    for (;;) {
        int n = SSL_read(c->ssl, inbuf, sizeof inbuf);
        enum tls_io io = tls_result(c->ssl, n, "SSL_read");
        if (io == tls_ok) {
            consume_or_exit(r, c, (size_t)n);
            continue;
        }
        if (io == tls_want_read) break;
        if (io == tls_want_write) {
            set_writing(r, c, 1);
            break;
        }
        errno = 0;
        fail(io == tls_closed ? "the server closed a TLS connection" : "TLS read from the server");
    }
    flush(r, c);
}

static void on_readable(struct echo_run *r, struct econn *c) {
    if (c->ssl) {
        on_readable_tls(r, c);
        return;
    }
    for (int reads = 0; reads < 8; reads++) {
        ssize_t n = recv(c->fd, inbuf, sizeof inbuf, 0);
        if (n > 0) {
            consume_or_exit(r, c, (size_t)n);
            if ((size_t)n < sizeof inbuf) break;
        } else if (n == 0) {
            errno = 0;
            fail("the server closed a connection");
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else if (errno != EINTR) {
            fail("recv from the server");
        }
    }
    flush(r, c);
}

static int connect_blocking(const struct options *o) {
    int in_progress;
    int fd = connect_server(o, &in_progress);
    if (fd < 0) fail("connect");
    if (in_progress) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 5000) != 1) fail("connect timed out");
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            errno = err;
            fail("connect");
        }
    }
    return fd;
}

int run_echo(const struct options *o) {
    struct echo_run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    frames_init(&r.f, o->netstring, o->size);
    histogram_init(&r.h);
    r.ep = epoll_create1(EPOLL_CLOEXEC);
    if (r.ep < 0) fail("epoll_create1");
    r.c = calloc((size_t)o->conns, sizeof *r.c);
    if (!r.c) fail("calloc connections");

    double t0 = now_s();
    for (int i = 0; i < o->conns; i++) {
        struct econn *c = &r.c[i];
        c->fd = connect_blocking(o);
        if (o->tls) {
            c->ssl = tls_attach(o->tls_ctx, c->fd);
            tls_handshake_blocking(c->ssl, c->fd, 10);
        }
        c->id = (uint32_t)i;
        c->sent_at = calloc((size_t)o->inflight, sizeof *c->sent_at);
        if (!c->sent_at) fail("calloc send times");
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(r.ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) fail("epoll_ctl ADD");
    }
    double cpu0 = self_cpu_s();
    double start = now_s();
    r.t_measure = start + o->warmup;
    r.t_end = r.t_measure + o->duration;
    double hard_end = t0 + o->timeout;
    r.sending = 1;
    for (int i = 0; i < o->conns; i++) {
        for (int k = 0; k < o->inflight; k++) enqueue(&r, &r.c[i], start);
        flush(&r, &r.c[i]);
    }

    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(r.ep, evs, 256, 5);
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct econn *c = evs[i].data.ptr;
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(&r, c);
            if (evs[i].events & EPOLLOUT) {
                if (c->ssl) on_readable_tls(&r, c); /* a read that wanted to write; then flushes */
                else flush(&r, c);
            }
        }
        double now = now_s();
        if (now >= r.t_end) break;
        if (now >= hard_end) {
            errno = 0;
            fail("the run did not finish within --timeout");
        }
    }
    double elapsed = now_s() - start;
    double cpu = self_cpu_s() - cpu0;
    for (int i = 0; i < o->conns; i++) {
        if (r.c[i].ssl) tls_close(r.c[i].ssl);
        close(r.c[i].fd);
    }

    printf("{\"mode\":\"echo\",\"framing\":\"%s\",\"conns\":%d,\"inflight\":%d,\"size\":%zu,"
           "\"warmup_s\":%.3f,\"duration_s\":%.3f,\"messages\":%llu,\"total_messages\":%llu,"
           "\"messages_per_s\":%.1f,\"bytes_per_s\":%.1f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,"
           "\"loadgen_cpu_s\":%.3f,\"loadgen_cpu_share\":%.3f",
           o->netstring ? "netstring" : "raw", o->conns, o->inflight, o->size, o->warmup, o->duration,
           (unsigned long long)r.measured, (unsigned long long)r.total, (double)r.measured / o->duration,
           (double)r.measured * (double)o->size / o->duration, (double)histogram_quantile(&r.h, 0.50) / 1e3,
           (double)histogram_quantile(&r.h, 0.99) / 1e3, (double)histogram_quantile(&r.h, 0.999) / 1e3, cpu,
           cpu / elapsed);
    if (o->tls) tls_print_json();
    printf("}\n");
    return 0;
}
