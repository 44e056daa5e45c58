/*
 * Connection-rate mode: K concurrent loops, each connects, sends one message, checks its echo and
 * closes, then starts over. Counts the connections completed in the measured window and the time
 * each took (connect to echo received). With --tls every connection is a full TLS 1.3 handshake
 * (no resumption), then the message and its echo, then close_notify and close (tls.h).
 */
#include "oneshot.h"
#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

int run_connrate(const struct options *o) {
    struct frames f;
    frames_init(&f, o->netstring, o->size);
    struct histogram h;
    histogram_init(&h);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) fail("epoll_create1");
    struct oneshot *loops = calloc((size_t)o->concurrency, sizeof *loops);
    if (!loops) fail("calloc loops");

    double cpu0 = self_cpu_s();
    double start = now_s();
    double t_measure = start + o->warmup, t_end = t_measure + o->duration, hard_end = start + o->timeout;
    uint32_t next_id = 0;
    uint64_t measured = 0, total = 0;
    for (int i = 0; i < o->concurrency; i++) {
        if (oneshot_start(&loops[i], ep, o, next_id++, start) != 0) fail("connect");
    }
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, 5);
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct oneshot *s = evs[i].data.ptr;
            const char *why = NULL;
            int done = oneshot_event(s, ep, evs[i].events, &f, &why);
            if (done < 0) fail(why);
            if (done == 0) continue;
            double now = now_s();
            if (now >= t_measure && now < t_end) {
                histogram_record(&h, (uint64_t)((now - s->started) * 1e9));
                measured++;
            }
            total++;
            oneshot_close(s);
            if (now < t_end && oneshot_start(s, ep, o, next_id++, now) != 0) fail("connect");
        }
        double now = now_s();
        if (now >= t_end) break;
        if (now >= hard_end) {
            errno = 0;
            fail("the run did not finish within --timeout");
        }
    }
    double elapsed = now_s() - start;
    double cpu = self_cpu_s() - cpu0;
    for (int i = 0; i < o->concurrency; i++) {
        oneshot_close(&loops[i]);
    }
    printf("{\"mode\":\"connrate\",\"framing\":\"%s\",\"concurrency\":%d,\"size\":%zu,\"warmup_s\":%.3f,"
           "\"duration_s\":%.3f,\"connections\":%llu,\"total_connections\":%llu,\"connections_per_s\":%.1f,"
           "\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"loadgen_cpu_s\":%.3f,\"loadgen_cpu_share\":%.3f",
           o->netstring ? "netstring" : "raw", o->concurrency, o->size, o->warmup, o->duration,
           (unsigned long long)measured, (unsigned long long)total, (double)measured / o->duration,
           (double)histogram_quantile(&h, 0.50) / 1e3, (double)histogram_quantile(&h, 0.99) / 1e3,
           (double)histogram_quantile(&h, 0.999) / 1e3, cpu, cpu / elapsed);
    if (o->tls) tls_print_json();
    printf("}\n");
    return 0;
}
