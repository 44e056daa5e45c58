/*
 * twist-loadgen: drives an echo server on 127.0.0.1 (or on a UNIX socket) and prints one JSON
 * line of results.
 *
 *   twist-loadgen (--port P | --unix PATH) [--mode echo|connrate|idle] [--framing netstring|raw]
 *                 [--conns N] [--inflight P] [--size S] [--warmup W] [--duration D]
 *                 [--concurrency K] [--hold H] [--timeout T]
 *                 [--tls [--tls-ciphersuites LIST] [--tls-groups LIST]]
 *   twist-loadgen --udp --port P [--conns N] [--inflight P] [--size S] [--loss-timeout L] ...
 *
 * --tls (echo and connrate over TCP) makes every connection a TLS 1.3 client: see tls.h.
 * --udp (the same as --mode udp) echoes datagrams over N connected UDP sockets: see udp.c.
 *
 * Exit status: 0 measured, 1 the server misbehaved (an echo differed, a connection was lost),
 * 2 a setup failure.
 */
#include "loadgen.h"
#include "tls.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

static void usage(void) {
    fprintf(stderr,
            "usage: twist-loadgen (--port P | --unix PATH) [--mode echo|connrate|idle] [--framing netstring|raw]\n"
            "       [--conns N] [--inflight P] [--size S] [--warmup W] [--duration D]\n"
            "       [--concurrency K] [--hold H] [--timeout T]\n"
            "       [--tls [--tls-ciphersuites LIST] [--tls-groups LIST]]\n"
            "       twist-loadgen --udp --port P [--conns N] [--inflight P] [--size S] [--loss-timeout L]\n");
    exit(2);
}

int main(int argc, char **argv) {
    struct options o = {.mode = "echo", .port = 0, .netstring = 1, .conns = 1, .inflight = 1, .size = 32,
                        .warmup = 1, .duration = 3, .concurrency = 8, .hold = 1, .timeout = 60, .loss_timeout = 0.1,
                        .tls_ciphersuites = "TLS_AES_256_GCM_SHA384", .tls_groups = "X25519"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--tls")) {
            o.tls = 1;
            continue;
        }
        if (!strcmp(a, "--udp")) {
            o.mode = "udp";
            continue;
        }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--port")) o.port = atoi(v);
        else if (!strcmp(a, "--unix")) o.unix_path = v;
        else if (!strcmp(a, "--mode")) o.mode = v;
        else if (!strcmp(a, "--framing")) o.netstring = !strcmp(v, "netstring") ? 1 : !strcmp(v, "raw") ? 0 : -1;
        else if (!strcmp(a, "--conns")) o.conns = atoi(v);
        else if (!strcmp(a, "--inflight")) o.inflight = atoi(v);
        else if (!strcmp(a, "--size")) o.size = (size_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--warmup")) o.warmup = atof(v);
        else if (!strcmp(a, "--duration")) o.duration = atof(v);
        else if (!strcmp(a, "--concurrency")) o.concurrency = atoi(v);
        else if (!strcmp(a, "--hold")) o.hold = atof(v);
        else if (!strcmp(a, "--timeout")) o.timeout = atof(v);
        else if (!strcmp(a, "--loss-timeout")) o.loss_timeout = atof(v);
        else if (!strcmp(a, "--tls-ciphersuites")) o.tls_ciphersuites = v;
        else if (!strcmp(a, "--tls-groups")) o.tls_groups = v;
        else usage();
    }
    /* Exactly one of a port and a UNIX socket path (which must fit in sun_path with its NUL). */
    int has_port = o.port != 0, has_path = o.unix_path != NULL;
    if (has_port == has_path || (has_port && (o.port < 0 || o.port > 65535)) ||
        (has_path && (!o.unix_path[0] || strlen(o.unix_path) >= sizeof ((struct sockaddr_un *)0)->sun_path)) ||
        o.netstring < 0 || o.conns < 1 || o.inflight < 1 || o.size < 1 ||
        o.duration <= 0 || o.warmup < 0 || o.concurrency < 1 || o.timeout <= 0 ||
        (o.tls && (has_path || !strcmp(o.mode, "idle"))) ||  /* TLS: echo and connrate over TCP */
        (!strcmp(o.mode, "udp") && (has_path || o.tls || o.size < 12 || o.size > 65507 || o.loss_timeout <= 0)))
        usage();
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    if (o.tls) o.tls_ctx = tls_client_context(o.tls_ciphersuites, o.tls_groups);
    errno = 0;
    if (!strcmp(o.mode, "echo")) return run_echo(&o);
    if (!strcmp(o.mode, "connrate")) return run_connrate(&o);
    if (!strcmp(o.mode, "idle")) return run_idle(&o);
    if (!strcmp(o.mode, "udp")) return run_udp(&o);
    usage();
    return 2;
}
