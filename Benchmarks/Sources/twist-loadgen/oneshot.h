/* One connection that connects, sends one message and waits for its echo (connrate and idle). */
#ifndef TWIST_LOADGEN_ONESHOT_H
#define TWIST_LOADGEN_ONESHOT_H

#include "loadgen.h"

struct oneshot {
    int fd;            /* -1 when not in use */
    int state;         /* 0 connecting, 1 awaiting the echo, 2 echoed */
    uint32_t id;
    size_t received;   /* bytes of the echo received so far */
    double started;    /* when connect was called */
};

/** Starts connecting and registers with `ep` (data.ptr = o); -1 on failure (errno set). */
int oneshot_start(struct oneshot *o, int ep, const struct options *opts, uint32_t id, double now);

/**
 * Handles epoll events for `o`: sends the message once connected, checks the echo.
 * Returns 1 once the whole echo is back and correct, 0 while in progress, -1 on an error
 * (message in `*why`).
 */
int oneshot_event(struct oneshot *o, int ep, uint32_t events, const struct frames *f, const char **why);

#endif
