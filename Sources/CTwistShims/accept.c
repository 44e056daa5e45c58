#include "CTwistShims.h"

#include <sys/socket.h>

int twist_accept_nonblocking(int fd, struct sockaddr *address, unsigned int *length) {
    return accept4(fd, address, (socklen_t *)length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int twist_sock_stream_nonblocking_cloexec(void) {
    return SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
}
