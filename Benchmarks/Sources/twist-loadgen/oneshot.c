/* One connection that connects, sends one message and waits for its echo. */
#include "oneshot.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls.h"

/* The client context while --tls is on (set by oneshot_start from the options). */
static SSL_CTX *tls_ctx;

static void set_interest(struct oneshot *o, int ep, uint32_t events) {
    if (o->interest == events) return;
    struct epoll_event ev = {.events = events, .data.ptr = o};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, o->fd, &ev) != 0) fail("epoll_ctl MOD");
    o->interest = events;
}

int oneshot_start(struct oneshot *o, int ep, const struct options *opts, uint32_t id, double now) {
    int in_progress;
    o->fd = connect_server(opts, &in_progress);
    if (o->fd < 0) return -1;
    o->state = oneshot_connecting;
    o->ssl = NULL;
    o->id = id;
    o->received = 0;
    o->started = now;
    tls_ctx = opts->tls ? opts->tls_ctx : NULL;
    o->interest = EPOLLOUT | EPOLLIN;
    struct epoll_event ev = {.events = o->interest, .data.ptr = o};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, o->fd, &ev) != 0) {
        close(o->fd);
        o->fd = -1;
        return -1;
    }
    return 0;
}

void oneshot_close(struct oneshot *o) {
    if (o->fd < 0) return;
    if (o->ssl) tls_close(o->ssl);
    o->ssl = NULL;
    close(o->fd);
    o->fd = -1;
}

static uint8_t buf[1 << 16];

/* Sends the message (one write: it always fits in the socket buffer, or in one TLS record). */
static int send_message(struct oneshot *o, int ep, const struct frames *f, const char **why) {
    uint8_t *frame = malloc(f->frame_len);
    if (!frame) fail("malloc frame");
    frames_write(f, frame, o->id, 0);
    ssize_t w = o->ssl ? SSL_write(o->ssl, frame, (int)f->frame_len)
                       : send(o->fd, frame, f->frame_len, MSG_NOSIGNAL);
    free(frame);
    if (w != (ssize_t)f->frame_len) {
        if (o->ssl) tls_result(o->ssl, (int)w, "SSL_write");
        *why = "could not send the message in one write";
        return -1;
    }
    set_interest(o, ep, EPOLLIN);
    o->state = oneshot_awaiting;
    return 0;
}

/* Runs the TLS handshake as far as it goes; sends the message when it completes. */
static int advance_handshake(struct oneshot *o, int ep, const struct frames *f, const char **why) {
    switch (tls_result(o->ssl, SSL_do_handshake(o->ssl), "TLS handshake")) {
    case tls_ok:
        tls_note_session(o->ssl);
        return send_message(o, ep, f, why);
    case tls_want_read: set_interest(o, ep, EPOLLIN); return 0;
    case tls_want_write: set_interest(o, ep, EPOLLIN | EPOLLOUT); return 0;
    default:
        *why = "TLS handshake failed";
        errno = 0;
        return -1;
    }
}

/* One read of the echo: >0 bytes, 0 for "wait", -1 on an error (why set). */
static ssize_t read_some(struct oneshot *o, int ep, const char **why) {
    if (!o->ssl) {
        for (;;) {
            ssize_t n = recv(o->fd, buf, sizeof buf, 0);
            if (n > 0) return n;
            if (n == 0) {
                *why = "the server closed a connection";
                errno = 0;
                return -1;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            if (errno != EINTR) {
                *why = "recv from the server";
                return -1;
            }
        }
    }
    int n = SSL_read(o->ssl, buf, sizeof buf);
    switch (tls_result(o->ssl, n, "SSL_read")) {
    case tls_ok: return n;
    case tls_want_read: set_interest(o, ep, EPOLLIN); return 0;
    case tls_want_write: set_interest(o, ep, EPOLLIN | EPOLLOUT); return 0;
    case tls_closed: *why = "the server closed a TLS connection"; break;
    default: *why = "TLS read from the server"; break;
    }
    errno = 0;
    return -1;
}

int oneshot_event(struct oneshot *o, int ep, uint32_t events, const struct frames *f, const char **why) {
    if (o->state == oneshot_connecting) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return 0;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(o->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            *why = "connect failed";
            errno = err;
            return -1;
        }
        if (!tls_ctx) return send_message(o, ep, f, why);
        o->ssl = tls_attach(tls_ctx, o->fd);
        o->state = oneshot_handshaking;
        return advance_handshake(o, ep, f, why);
    }
    if (o->state == oneshot_handshaking) return advance_handshake(o, ep, f, why);
    if (o->state != oneshot_awaiting) return 0;
    for (;;) {
        ssize_t n = read_some(o, ep, why);
        if (n <= 0) return (int)n;
        if (o->received + (size_t)n > f->frame_len || frames_check(f, buf, (size_t)n, o->received, o->id, 0) != 0) {
            *why = "echo mismatch";
            return -1;
        }
        o->received += (size_t)n;
        if (o->received == f->frame_len) {
            o->state = oneshot_echoed;
            return 1;
        }
    }
}
