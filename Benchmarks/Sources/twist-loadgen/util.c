/* Small system helpers of the load generator: time, limits, sockets. */
#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void fail(const char *what) {
    fprintf(stderr, "twist-loadgen: %s: %s\n", what, errno ? strerror(errno) : "failed");
    printf("{\"error\":\"%s\"}\n", what);
    fflush(stdout);
    exit(2);
}

long raise_fd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    return (long)rl.rlim_cur;
}

int set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Starts a non-blocking connect of a new socket of `family` to `sa`; -1 on failure. */
static int start_connect(int family, const struct sockaddr *sa, socklen_t len, int *in_progress) {
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (family == AF_INET) {  /* never on a UNIX socket, which has no Nagle to turn off */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    *in_progress = 0;
    if (connect(fd, sa, len) != 0) {
        /* A UNIX socket connects at once or fails (EAGAIN: the backlog is full); only TCP waits. */
        if (errno != EINPROGRESS) {
            close(fd);
            return -1;
        }
        *in_progress = 1;
    }
    return fd;
}

int connect_server(const struct options *o, int *in_progress) {
    if (o->unix_path) {
        struct sockaddr_un su;
        memset(&su, 0, sizeof su);
        su.sun_family = AF_UNIX;
        memcpy(su.sun_path, o->unix_path, strlen(o->unix_path));  /* length checked by main */
        return start_connect(AF_UNIX, (struct sockaddr *)&su, sizeof su, in_progress);
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return start_connect(AF_INET, (struct sockaddr *)&sa, sizeof sa, in_progress);
}

double self_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec * 1e-6;
}
