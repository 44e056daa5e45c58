#include "twist_datagram.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct twist_datagram_batch {
    int capacity;
    struct mmsghdr *messages;
    struct iovec *vectors;
    struct sockaddr_storage *senders;
};

int twist_sock_dgram_nonblocking_cloexec(void) { return SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC; }

struct twist_datagram_batch *twist_datagram_batch_create(int capacity) {
    if (capacity < 1) capacity = 1;
    struct twist_datagram_batch *batch = calloc(1, sizeof *batch);
    if (!batch) return NULL;
    batch->capacity = capacity;
    batch->messages = calloc((size_t)capacity, sizeof *batch->messages);
    batch->vectors = calloc((size_t)capacity, sizeof *batch->vectors);
    batch->senders = calloc((size_t)capacity, sizeof *batch->senders);
    if (!batch->messages || !batch->vectors || !batch->senders) {
        twist_datagram_batch_destroy(batch);
        return NULL;
    }
    return batch;
}

void twist_datagram_batch_destroy(struct twist_datagram_batch *batch) {
    if (!batch) return;
    free(batch->messages);
    free(batch->vectors);
    free(batch->senders);
    free(batch);
}

int twist_datagram_batch_receive(
    struct twist_datagram_batch *batch, int fd, void *buffer, size_t slot_size, int count) {
    if (count > batch->capacity) count = batch->capacity;
    if (count < 1) count = 1;
    for (int i = 0; i < count; i++) {
        batch->vectors[i].iov_base = (char *)buffer + (size_t)i * slot_size;
        batch->vectors[i].iov_len = slot_size;
        struct msghdr *header = &batch->messages[i].msg_hdr;
        memset(header, 0, sizeof *header);
        header->msg_name = &batch->senders[i];
        header->msg_namelen = sizeof batch->senders[i];
        header->msg_iov = &batch->vectors[i];
        header->msg_iovlen = 1;
        batch->messages[i].msg_len = 0;
    }
    return recvmmsg(fd, batch->messages, (unsigned int)count, MSG_DONTWAIT, NULL);
}

size_t twist_datagram_batch_length(const struct twist_datagram_batch *batch, int index) {
    size_t length = batch->messages[index].msg_len;
    size_t slot = batch->vectors[index].iov_len;
    return length < slot ? length : slot;
}

int twist_datagram_batch_truncated(const struct twist_datagram_batch *batch, int index) {
    return (batch->messages[index].msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

const struct sockaddr *twist_datagram_batch_sender(
    const struct twist_datagram_batch *batch, int index, unsigned int *length) {
    *length = batch->messages[index].msg_hdr.msg_namelen;
    return (const struct sockaddr *)&batch->senders[index];
}

struct twist_datagram_send_batch {
    int capacity, count;
    size_t bytes, used;
    unsigned char *buffer;
    struct mmsghdr *messages;
    struct iovec *vectors;
    struct sockaddr_storage *targets;
};

struct twist_datagram_send_batch *twist_datagram_send_batch_create(int capacity, size_t bytes) {
    if (capacity < 1) capacity = 1;
    struct twist_datagram_send_batch *batch = calloc(1, sizeof *batch);
    if (!batch) return NULL;
    batch->capacity = capacity;
    batch->bytes = bytes;
    batch->buffer = malloc(bytes ? bytes : 1);
    batch->messages = calloc((size_t)capacity, sizeof *batch->messages);
    batch->vectors = calloc((size_t)capacity, sizeof *batch->vectors);
    batch->targets = calloc((size_t)capacity, sizeof *batch->targets);
    if (!batch->buffer || !batch->messages || !batch->vectors || !batch->targets) {
        twist_datagram_send_batch_destroy(batch);
        return NULL;
    }
    return batch;
}

void twist_datagram_send_batch_destroy(struct twist_datagram_send_batch *batch) {
    if (!batch) return;
    free(batch->buffer);
    free(batch->messages);
    free(batch->vectors);
    free(batch->targets);
    free(batch);
}

int twist_datagram_send_batch_add(
    struct twist_datagram_send_batch *batch, const void *data, size_t length, const struct sockaddr *to,
    unsigned int to_length) {
    if (batch->count == batch->capacity || length > batch->bytes - batch->used ||
        to_length > sizeof batch->targets[0])
        return -1;
    int i = batch->count++;
    unsigned char *copy = batch->buffer + batch->used;
    if (length) memcpy(copy, data, length);
    batch->used += length;
    batch->vectors[i].iov_base = copy;
    batch->vectors[i].iov_len = length;
    struct msghdr *header = &batch->messages[i].msg_hdr;
    memset(header, 0, sizeof *header);
    if (to) {
        memcpy(&batch->targets[i], to, to_length);
        header->msg_name = &batch->targets[i];
        header->msg_namelen = to_length;
    }
    header->msg_iov = &batch->vectors[i];
    header->msg_iovlen = 1;
    batch->messages[i].msg_len = 0;
    return 0;
}

int twist_datagram_send_batch_count(const struct twist_datagram_send_batch *batch) { return batch->count; }

int twist_datagram_send_batch_send(struct twist_datagram_send_batch *batch, int fd, int first, int limit) {
    if (first < 0 || first >= batch->count || limit < 1) return 0;
    int count = batch->count - first < limit ? batch->count - first : limit;
    return sendmmsg(fd, batch->messages + first, (unsigned int)count, MSG_DONTWAIT);
}

void twist_datagram_send_batch_clear(struct twist_datagram_send_batch *batch) {
    batch->count = 0;
    batch->used = 0;
}

int twist_ipv4_membership(int fd, int join, unsigned int group, unsigned int interface) {
    struct ip_mreq request;
    memset(&request, 0, sizeof request);
    request.imr_multiaddr.s_addr = group;
    request.imr_interface.s_addr = interface;
    return setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &request, sizeof request);
}

int twist_ipv6_membership(int fd, int join, const void *group, unsigned int index) {
    struct ipv6_mreq request;
    memset(&request, 0, sizeof request);
    memcpy(&request.ipv6mr_multiaddr, group, sizeof request.ipv6mr_multiaddr);
    request.ipv6mr_interface = index;
    return setsockopt(fd, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &request, sizeof request);
}
