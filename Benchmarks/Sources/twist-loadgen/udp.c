/*
 * UDP mode: N client sockets (each connected to the server, so each is its own sender address),
 * P datagrams in flight on each, payload S bytes. Every datagram carries a slot id (socket ×
 * in-flight index) and that slot's sequence number in its first 12 bytes; the rest is the frame
 * template. An echo is checked byte for byte: a difference, a length other than S, or an id or
 * sequence that was never sent ends the run (exit 1). A datagram not echoed within
 * --loss-timeout counts as lost and its slot sends the next sequence number, so a loss never
 * stalls the run; an echo that comes back after that counts as late (checked, then ignored).
 *
 * The generator reads with recvmmsg (up to 64 datagrams a call) and sends each socket's
 * replacements with one sendmmsg, so it spends about two system calls per batch, not two per
 * datagram. Its own CPU share is reported (loadgen_cpu_share), as in the other modes.
 */
#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

enum { batch = 64 };

/** One datagram slot: the sequence number it waits for, and when that was sent. */
struct uslot {
    uint64_t seq;
    double sent_at;
    int unsent; /* the last send of this slot failed: resend on the next scan, not a loss */
};

struct usock {
    int fd;
    uint32_t first_slot; /* slots first_slot ..< first_slot + inflight are this socket's */
    uint32_t pending[batch]; /* slots to send at the end of this read */
    int npending;
};

struct udp_run {
    const struct options *o;
    struct frames f;
    struct usock *s;
    struct uslot *slots;
    uint32_t nslots;
    int sending;
    double t_measure, t_end;
    uint64_t measured, total, lost, late, send_errors;
    struct histogram h;
    uint8_t *out;   /* batch frames of frame_len bytes, for sendmmsg */
    uint8_t *in;    /* batch receive slots of frame_len + 1 bytes (one more: a longer echo shows) */
};

static void mismatch(const char *what, uint32_t id, uint64_t seq) {
    fprintf(stderr, "twist-loadgen: udp slot %u, datagram %llu: %s\n", id, (unsigned long long)seq, what);
    printf("{\"error\":\"echo mismatch\"}\n");
    exit(1);
}

/* Sends the pending slots of `s` (their current sequence numbers) with sendmmsg. */
static void send_pending(struct udp_run *r, struct usock *s, double now) {
    struct mmsghdr msgs[batch];
    struct iovec iov[batch];
    size_t len = r->f.frame_len;
    int n = s->npending;
    for (int i = 0; i < n; i++) {
        uint32_t id = s->pending[i];
        frames_write(&r->f, r->out + (size_t)i * len, id, r->slots[id].seq);
        iov[i] = (struct iovec){.iov_base = r->out + (size_t)i * len, .iov_len = len};
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        r->slots[id].sent_at = now;
        r->slots[id].unsent = 0;
    }
    int done = 0;
    while (done < n) {
        int k = sendmmsg(s->fd, msgs + done, (unsigned)(n - done), MSG_DONTWAIT);
        if (k > 0) {
            done += k;
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else {
            /* EAGAIN, ENOBUFS, ECONNREFUSED (server gone or not yet up): the slots wait for the scan. */
            for (int i = done; i < n; i++) r->slots[s->pending[i]].unsent = 1;
            r->send_errors += (uint64_t)(n - done);
            break;
        }
    }
    s->npending = 0;
}

static void arm(struct udp_run *r, struct usock *s, uint32_t id, double now) {
    r->slots[id].seq++;
    s->pending[s->npending++] = id;
    if (s->npending == batch) send_pending(r, s, now);
}

/* Takes the tag (id, seq) out of a datagram; the full check follows. */
static void read_tag(const uint8_t *d, uint32_t *id, uint64_t *seq) {
    *id = 0;
    *seq = 0;
    for (int i = 0; i < 4; i++) *id |= (uint32_t)d[i] << (8 * i);
    for (int i = 0; i < 8; i++) *seq |= (uint64_t)d[4 + i] << (8 * i);
}

/* Reads batches from `s` until it is drained (at most 16 batches), checks each echo, re-arms. */
static void on_readable(struct udp_run *r, struct usock *s) {
    struct mmsghdr msgs[batch];
    struct iovec iov[batch];
    size_t room = r->f.frame_len + 1;
    for (int rounds = 0; rounds < 16; rounds++) {
        for (int i = 0; i < batch; i++) {
            iov[i] = (struct iovec){.iov_base = r->in + (size_t)i * room, .iov_len = room};
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(s->fd, msgs, batch, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED) break;
            fail("recvmmsg from the server");
        }
        double now = now_s();
        for (int i = 0; i < n; i++) {
            const uint8_t *d = iov[i].iov_base;
            uint32_t id;
            uint64_t seq;
            if (msgs[i].msg_len != r->f.frame_len) mismatch("an echo of the wrong length", 0, 0);
            read_tag(d, &id, &seq);
            if (id < s->first_slot || id >= s->first_slot + (uint32_t)r->o->inflight)
                mismatch("an id this socket never sent", id, seq);
            struct uslot *slot = &r->slots[id];
            if (seq > slot->seq) mismatch("a sequence number not yet sent", id, seq);
            if (frames_check(&r->f, d, r->f.frame_len, 0, id, seq) != 0) mismatch("differs from what was sent", id, seq);
            if (seq < slot->seq || slot->unsent) {
                r->late++; /* already counted lost and sent again */
                continue;
            }
            if (now >= r->t_measure && now < r->t_end) {
                histogram_record(&r->h, (uint64_t)((now - slot->sent_at) * 1e9));
                r->measured++;
            }
            r->total++;
            if (r->sending) arm(r, s, id, now);
        }
        if (s->npending > 0) send_pending(r, s, now);
        if (n < batch) break;
    }
}

/* Slots whose echo is overdue count as lost and send their next sequence number. */
static void scan_losses(struct udp_run *r, double now) {
    double timeout = r->o->loss_timeout;
    for (int k = 0; k < r->o->conns; k++) {
        struct usock *s = &r->s[k];
        for (uint32_t id = s->first_slot; id < s->first_slot + (uint32_t)r->o->inflight; id++) {
            struct uslot *slot = &r->slots[id];
            if (slot->unsent) {
                s->pending[s->npending++] = id; /* same sequence: it never left */
            } else if (now - slot->sent_at >= timeout) {
                if (slot->sent_at >= r->t_measure && slot->sent_at < r->t_end) r->lost++;
                arm(r, s, id, now);
                continue;
            } else {
                continue;
            }
            if (s->npending == batch) send_pending(r, s, now);
        }
        if (s->npending > 0) send_pending(r, s, now);
    }
}

static int udp_socket(int port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    int size = 1 << 20; /* the generator's own buffers: its receive side is not what drops */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) fail("connect the UDP socket");
    return fd;
}

int run_udp(const struct options *o) {
    struct udp_run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    frames_init(&r.f, 0, o->size);
    histogram_init(&r.h);
    r.nslots = (uint32_t)o->conns * (uint32_t)o->inflight;
    r.s = calloc((size_t)o->conns, sizeof *r.s);
    r.slots = calloc(r.nslots, sizeof *r.slots);
    r.out = malloc(batch * r.f.frame_len);
    r.in = malloc(batch * (r.f.frame_len + 1));
    if (!r.s || !r.slots || !r.out || !r.in) fail("calloc UDP slots");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) fail("epoll_create1");
    for (int k = 0; k < o->conns; k++) {
        r.s[k].fd = udp_socket(o->port);
        r.s[k].first_slot = (uint32_t)k * (uint32_t)o->inflight;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &r.s[k]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, r.s[k].fd, &ev) != 0) fail("epoll_ctl ADD");
    }

    double cpu0 = self_cpu_s();
    double start = now_s();
    r.t_measure = start + o->warmup;
    r.t_end = r.t_measure + o->duration;
    double hard_end = start + o->timeout;
    r.sending = 1;
    for (int k = 0; k < o->conns; k++) {
        struct usock *s = &r.s[k];
        for (uint32_t id = s->first_slot; id < s->first_slot + (uint32_t)o->inflight; id++) {
            s->pending[s->npending++] = id;
            if (s->npending == batch) send_pending(&r, s, start);
        }
        if (s->npending > 0) send_pending(&r, s, start);
    }

    struct epoll_event evs[256];
    double next_scan = start + o->loss_timeout / 4;
    for (;;) {
        int n = epoll_wait(ep, evs, 256, 5);
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; i++) on_readable(&r, evs[i].data.ptr);
        double now = now_s();
        if (now >= r.t_end) break;
        if (now >= next_scan) {
            scan_losses(&r, now);
            next_scan = now + o->loss_timeout / 4;
        }
        if (now >= hard_end) {
            errno = 0;
            fail("the run did not finish within --timeout");
        }
    }
    double elapsed = now_s() - start;
    double cpu = self_cpu_s() - cpu0;
    for (int k = 0; k < o->conns; k++) close(r.s[k].fd);
    close(ep);

    double rate = (double)r.measured / o->duration;
    printf("{\"mode\":\"udp\",\"conns\":%d,\"inflight\":%d,\"size\":%zu,\"warmup_s\":%.3f,\"duration_s\":%.3f,"
           "\"loss_timeout_s\":%.3f,\"messages\":%llu,\"total_messages\":%llu,\"messages_per_s\":%.1f,"
           "\"datagrams_per_s\":%.1f,\"bytes_per_s\":%.1f,\"lost\":%llu,\"late\":%llu,\"send_errors\":%llu,"
           "\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"loadgen_cpu_s\":%.3f,\"loadgen_cpu_share\":%.3f}\n",
           o->conns, o->inflight, o->size, o->warmup, o->duration, o->loss_timeout, (unsigned long long)r.measured,
           (unsigned long long)r.total, rate, rate, rate * (double)o->size, (unsigned long long)r.lost,
           (unsigned long long)r.late, (unsigned long long)r.send_errors,
           (double)histogram_quantile(&r.h, 0.50) / 1e3, (double)histogram_quantile(&r.h, 0.99) / 1e3,
           (double)histogram_quantile(&r.h, 0.999) / 1e3, cpu, cpu / elapsed);
    return 0;
}
