#include "CTwistShims.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

long twist_send_descriptor(int fd, const void *byte, int passed) {
    struct iovec vector = { .iov_base = (void *)byte, .iov_len = 1 };
    union {
        char space[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = {
        .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.space, .msg_controllen = sizeof control.space,
    };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &passed, sizeof(int));
    return sendmsg(fd, &message, MSG_NOSIGNAL);
}

long twist_receive_with_descriptors(
    int fd, struct iovec *vectors, int count, int *descriptors, int capacity, int *received, int *others
) {
    union {
        char space[4096];
        struct cmsghdr align;
    } control;
    struct msghdr message = {
        .msg_iov = vectors, .msg_iovlen = (size_t)count, .msg_control = control.space,
        .msg_controllen = sizeof control.space,
    };
    *received = 0;
    *others = 0;
    long result = recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
    if (result < 0) return result;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) {
            *others += 1;
            continue;
        }
        size_t n = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int passed;
            memcpy(&passed, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
            if (*received < capacity) {
                descriptors[(*received)++] = passed;
            } else {
                close(passed);  /* more than fit: cannot be handed on */
            }
        }
    }
    return result;
}
