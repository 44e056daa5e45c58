/* One connection that connects, sends one message and waits for its echo. */
#include "oneshot.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int oneshot_start(struct oneshot *o, int ep, const struct options *opts, uint32_t id, double now) {
    int in_progress;
    o->fd = connect_server(opts, &in_progress);
    if (o->fd < 0) return -1;
    o->state = 0;
    o->id = id;
    o->received = 0;
    o->started = now;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = o};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, o->fd, &ev) != 0) {
        close(o->fd);
        o->fd = -1;
        return -1;
    }
    return 0;
}

static uint8_t buf[1 << 16];

int oneshot_event(struct oneshot *o, int ep, uint32_t events, const struct frames *f, const char **why) {
    if (o->state == 0) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return 0;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(o->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            *why = "connect failed";
            errno = err;
            return -1;
        }
        uint8_t *frame = malloc(f->frame_len);
        if (!frame) fail("malloc frame");
        frames_write(f, frame, o->id, 0);
        ssize_t w = send(o->fd, frame, f->frame_len, MSG_NOSIGNAL);
        free(frame);
        if (w != (ssize_t)f->frame_len) {
            *why = "could not send the message in one write";
            return -1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = o};
        if (epoll_ctl(ep, EPOLL_CTL_MOD, o->fd, &ev) != 0) fail("epoll_ctl MOD");
        o->state = 1;
        return 0;
    }
    if (o->state != 1 || !(events & (EPOLLIN | EPOLLERR | EPOLLHUP))) return 0;
    for (;;) {
        ssize_t n = recv(o->fd, buf, sizeof buf, 0);
        if (n > 0) {
            if (o->received + (size_t)n > f->frame_len ||
                frames_check(f, buf, (size_t)n, o->received, o->id, 0) != 0) {
                *why = "echo mismatch";
                return -1;
            }
            o->received += (size_t)n;
            if (o->received == f->frame_len) {
                o->state = 2;
                return 1;
            }
        } else if (n == 0) {
            *why = "the server closed a connection";
            errno = 0;
            return -1;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        } else if (errno != EINTR) {
            *why = "recv from the server";
            return -1;
        }
    }
}
