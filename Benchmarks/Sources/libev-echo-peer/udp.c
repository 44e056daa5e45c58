/*
 * libev-echo-peer --udp: a UDP echo server on libev, the raw C reference of twist-bench's udp
 * scenarios. One socket on 127.0.0.1; each readiness event takes up to 64 datagrams with one
 * recvmmsg into one shared buffer (2 KiB a slot, with each sender's address), and sends the same
 * batch back with sendmmsg, each datagram to its sender, straight from where it was received.
 * Up to 16 batches per event, so a busy socket leaves the loop. A datagram the kernel will not
 * take (EAGAIN or an error on its sendmmsg) is dropped and counted; the count is printed on
 * standard error at exit.
 */
#include "udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

enum { udp_batch = 64, udp_slot = 2048, udp_rounds = 16 };

static uint8_t buffer[udp_batch][udp_slot];
static struct mmsghdr messages[udp_batch];
static struct iovec vectors[udp_batch];
static struct sockaddr_storage senders[udp_batch];
static unsigned long long dropped;

static void on_datagrams(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop;
    (void)revents;
    for (int round = 0; round < udp_rounds; round++) {
        for (int i = 0; i < udp_batch; i++) {
            vectors[i] = (struct iovec){.iov_base = buffer[i], .iov_len = udp_slot};
            memset(&messages[i].msg_hdr, 0, sizeof messages[i].msg_hdr);
            messages[i].msg_hdr.msg_name = &senders[i];
            messages[i].msg_hdr.msg_namelen = sizeof senders[i];
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(w->fd, messages, udp_batch, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return; /* EAGAIN: drained; anything else (an ICMP error) ends this event */
        }
        /* The same headers go back out: each datagram to its sender, as long as it came. */
        for (int i = 0; i < n; i++) vectors[i].iov_len = messages[i].msg_len;
        int sent = 0;
        while (sent < n) {
            int k = sendmmsg(w->fd, messages + sent, (unsigned)(n - sent), MSG_DONTWAIT);
            if (k > 0) {
                sent += k;
            } else if (k < 0 && errno == EINTR) {
                continue;
            } else {
                sent++; /* the first unsent datagram failed: drop it, go on with the rest */
                dropped++;
            }
        }
        if (n < udp_batch) return;
    }
}

int serve_udp(struct ev_loop *loop, int port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    printf("PORT %d\n", ntohs(sa.sin_port));
    fflush(stdout);
    static ev_io reader;
    ev_io_init(&reader, on_datagrams, fd, EV_READ);
    ev_io_start(loop, &reader);
    ev_run(loop, 0);
    close(fd);
    if (dropped) fprintf(stderr, "libev-echo-peer: %llu datagrams dropped on send\n", dropped);
    return 0;
}
