/* One connection that connects, sends one message and waits for its echo (connrate and idle). */
#ifndef TWIST_LOADGEN_ONESHOT_H
#define TWIST_LOADGEN_ONESHOT_H

#include <openssl/ssl.h>

#include "loadgen.h"

/** Where a oneshot connection stands. */
enum oneshot_state {
    oneshot_connecting,   /* the TCP connect is in progress */
    oneshot_handshaking,  /* --tls: the TLS handshake is in progress */
    oneshot_awaiting,     /* the message was sent; its echo is being read */
    oneshot_echoed,       /* the whole echo is back and correct */
};

struct oneshot {
    int fd;            /* -1 when not in use */
    enum oneshot_state state;
    SSL *ssl;          /* with --tls: the connection's TLS client; else NULL */
    uint32_t interest; /* the epoll events registered */
    uint32_t id;
    size_t received;   /* bytes of the echo received so far */
    double started;    /* when connect was called */
};

/**
 * Starts connecting and registers with `ep` (data.ptr = o); -1 on failure (errno set). With
 * `opts->tls` the connection becomes a TLS client once connected (tls.h).
 */
int oneshot_start(struct oneshot *o, int ep, const struct options *opts, uint32_t id, double now);

/**
 * Handles epoll events for `o`: completes the TLS handshake (with --tls), sends the message once
 * connected, checks the echo. Returns 1 once the whole echo is back and correct, 0 while in
 * progress, -1 on an error (message in `*why`).
 */
int oneshot_event(struct oneshot *o, int ep, uint32_t events, const struct frames *f, const char **why);

/** Closes `o` (TLS: close_notify first, see tls.h) and marks it unused. */
void oneshot_close(struct oneshot *o);

#endif
