/*
 * twist-loadgen: the load generator behind twist-bench. C on raw epoll, one thread, so that it is
 * never the bottleneck of what it measures. Shared declarations of its small parts.
 */
#ifndef TWIST_LOADGEN_H
#define TWIST_LOADGEN_H

#include <stddef.h>
#include <stdint.h>

/** What the command line asked for. */
struct options {
    const char *mode;      /* "echo", "connrate", "idle" or "udp" */
    int port;              /* the server's port on 127.0.0.1 (when unix_path is NULL) */
    const char *unix_path; /* the server's UNIX socket, instead of a TCP port */
    int netstring;         /* 1: netstring frames; 0: raw bytes, S per message */
    int conns;             /* echo: connections; idle: connections to hold */
    int inflight;          /* echo: messages in flight per connection */
    size_t size;           /* payload bytes per message */
    double warmup;         /* seconds before measuring */
    double duration;       /* seconds measured */
    int concurrency;       /* connrate: concurrent connect-send-close loops */
    double hold;           /* idle: seconds to hold the connections once all are up */
    double timeout;        /* hard bound on the whole run, seconds */
    double loss_timeout;   /* udp: seconds after which an unechoed datagram counts as lost */
    int tls;               /* 1: every connection is a TLS client (echo and connrate; tls.h) */
    const char *tls_ciphersuites; /* the TLS 1.3 suites offered (default: TLS_AES_256_GCM_SHA384) */
    const char *tls_groups;       /* the key-exchange groups offered (default: X25519) */
    struct ssl_ctx_st *tls_ctx;   /* the client context, made once by main when tls is set */
};

/** Monotonic seconds. */
double now_s(void);

/** Prints a message and exits with status 2 (a setup failure, not a measurement). */
void fail(const char *what);

/** Raises RLIMIT_NOFILE to the hard limit; returns the soft limit now in force. */
long raise_fd_limit(void);

/** Makes `fd` non-blocking; returns -1 on failure. */
int set_nonblocking(int fd);

/**
 * A non-blocking socket connecting to the server: to `o->unix_path` over AF_UNIX when it is set,
 * else to 127.0.0.1:o->port over TCP (TCP_NODELAY set). -1 on failure.
 */
int connect_server(const struct options *o, int *in_progress);

/** CPU seconds (user + system) this process has used. */
double self_cpu_s(void);

/* ---- messages: every frame is checked byte for byte against what was sent ---- */

/** The frames of one run: all share a template; each carries its connection id and sequence. */
struct frames {
    int netstring;
    size_t size;        /* payload bytes */
    size_t header_len;  /* "S:" in netstring mode, 0 in raw mode */
    size_t frame_len;   /* header + payload (+ ',' in netstring mode) */
    uint8_t *template;  /* one frame with id/sequence bytes zero */
    size_t tag_off;     /* where the id/sequence tag starts inside a frame */
    size_t tag_len;     /* 0..12 bytes: 4 of connection id, 8 of sequence, as the payload allows */
};

void frames_init(struct frames *f, int netstring, size_t size);
/** Appends frame (id, seq) to `out`, which must have frame_len bytes of room. */
void frames_write(const struct frames *f, uint8_t *out, uint32_t id, uint64_t seq);
/**
 * Checks `n` received bytes against frame (id, seq) starting at offset `off` within it.
 * Returns 0 when they match.
 */
int frames_check(const struct frames *f, const uint8_t *data, size_t n, size_t off, uint32_t id, uint64_t seq);

/* ---- latency histogram: log-linear buckets, about 1.5% resolution ---- */

struct histogram {
    uint64_t *counts;
    size_t buckets;
    uint64_t total;
};

void histogram_init(struct histogram *h);
void histogram_record(struct histogram *h, uint64_t ns);
/** The value (ns) below which fraction `q` of the recorded values fall; 0 if none. */
uint64_t histogram_quantile(const struct histogram *h, double q);

/* ---- the four modes; each prints one JSON line on stdout and returns the exit status ---- */

int run_echo(const struct options *o);
int run_connrate(const struct options *o);
int run_idle(const struct options *o);
/** UDP echo over --conns connected sockets (udp.c). */
int run_udp(const struct options *o);

#endif
