#include "CSoakSupport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int soak_connect_loopback(int port, int rcvbuf) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int soak_socket_error(int fd) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0) return errno;
    return error;
}

int soak_set_linger_zero(int fd) {
    struct linger linger = {1, 0};
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
}

int soak_set_blocking(int fd, int timeout_ms) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) return -1;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) return -1;
    return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int soak_local_port(int fd) {
    struct sockaddr_in addr;
    socklen_t length = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &length) < 0) return -1;
    return ntohs(addr.sin_port);
}

long soak_raise_nofile(long want) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0) return -1;
    rlim_t target = (rlim_t)want;
    if (limit.rlim_max != RLIM_INFINITY && target > limit.rlim_max) target = limit.rlim_max;
    if (target > limit.rlim_cur) {
        limit.rlim_cur = target;
        if (setrlimit(RLIMIT_NOFILE, &limit) < 0) return -1;
    }
    return (long)limit.rlim_cur;
}

int soak_set_nofile(long value) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0) return -1;
    limit.rlim_cur = (rlim_t)value;
    return setrlimit(RLIMIT_NOFILE, &limit);
}

int soak_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int soak_epoll_add(int ep, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event = {.events = events, .data.u64 = token};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &event);
}

int soak_epoll_mod(int ep, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event = {.events = events, .data.u64 = token};
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &event);
}

int soak_epoll_del(int ep, int fd) { return epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL); }

int soak_epoll_wait(int ep, uint64_t *tokens, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event batch[256];
    if (max > 256) max = 256;
    int count = epoll_wait(ep, batch, max, timeout_ms);
    if (count < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < count; i++) {
        tokens[i] = batch[i].data.u64;
        events[i] = batch[i].events;
    }
    return count;
}

uint32_t soak_epollin(void) { return EPOLLIN; }
uint32_t soak_epollout(void) { return EPOLLOUT; }
uint32_t soak_epollerr_hup(void) { return EPOLLERR | EPOLLHUP; }

pid_t soak_spawn(char *const argv[], int *stdout_read, const char *stderr_path) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    if (stderr_path) posix_spawn_file_actions_addopen(&actions, 2, stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    // The child starts with default signal dispositions, whatever the runner ignores.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(pipe_fds[1]);
    if (error != 0) {
        close(pipe_fds[0]);
        errno = error;
        return -1;
    }
    *stdout_read = pipe_fds[0];
    return pid;
}

int soak_try_wait(pid_t pid, int *status) {
    int raw = 0;
    pid_t done = waitpid(pid, &raw, WNOHANG);
    if (done == 0) return 0;
    if (done < 0) return -1;
    *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    return 1;
}

int soak_set_listener_send_buffer(int port, int bytes) {
    for (int fd = 0; fd < 1024; fd++) {
        struct sockaddr_in addr;
        socklen_t length = sizeof addr;
        int listening = 0;
        socklen_t flag_length = sizeof listening;
        if (getsockname(fd, (struct sockaddr *)&addr, &length) < 0 || addr.sin_family != AF_INET) continue;
        if (ntohs(addr.sin_port) != port) continue;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &flag_length) < 0 || !listening) continue;
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) < 0) return -1;
        return fd;
    }
    errno = ENOENT;
    return -1;
}
