/*
 * Idle mode: opens N connections (at most 128 handshakes at a time), proves each one is served
 * with one echoed message, prints "READY <n>" and holds them all idle for --hold seconds, so the
 * runner can read the server's resident memory. Then prints the JSON line and closes them.
 */
#include "oneshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

enum { max_opening = 128 };

int run_idle(const struct options *o) {
    long limit = raise_fd_limit();
    if (limit < o->conns + 16) {
        errno = 0;
        fail("RLIMIT_NOFILE is too low for --conns");
    }
    struct frames f;
    frames_init(&f, o->netstring, o->size);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) fail("epoll_create1");
    struct oneshot *c = calloc((size_t)o->conns, sizeof *c);
    if (!c) fail("calloc connections");

    double start = now_s(), hard_end = start + o->timeout;
    int started = 0, ready = 0, opening = 0;
    struct epoll_event evs[256];
    while (ready < o->conns) {
        while (opening < max_opening && started < o->conns) {
            if (oneshot_start(&c[started], ep, o, (uint32_t)started, now_s()) != 0) fail("connect");
            started++;
            opening++;
        }
        int n = epoll_wait(ep, evs, 256, 5);
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct oneshot *s = evs[i].data.ptr;
            const char *why = NULL;
            int done = oneshot_event(s, ep, evs[i].events, &f, &why);
            if (done < 0) fail(why);
            if (done == 1) {
                ready++;
                opening--;
            }
        }
        if (now_s() >= hard_end) {
            errno = 0;
            fail("the connections were not all up within --timeout");
        }
    }
    double setup = now_s() - start;
    printf("READY %d\n", ready);
    fflush(stdout);

    /* Hold: any event now means the server closed or reset a connection. */
    double hold_end = now_s() + o->hold;
    int lost = 0;
    for (;;) {
        double left = hold_end - now_s();
        if (left <= 0) break;
        int n = epoll_wait(ep, evs, 256, (int)(left * 1000) + 1);
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct oneshot *s = evs[i].data.ptr;
            struct epoll_event none = {0};
            epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, &none);
            lost++;
        }
    }
    for (int i = 0; i < o->conns; i++) close(c[i].fd);
    printf("{\"mode\":\"idle\",\"conns\":%d,\"setup_s\":%.3f,\"hold_s\":%.3f,\"lost\":%d}\n", o->conns, setup,
           o->hold, lost);
    return lost == 0 ? 0 : 1;
}
