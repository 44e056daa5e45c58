/*
 * Batched datagram reads (recvmmsg) and writes (sendmmsg), and the multicast socket options, for
 * Twist's UDP port.
 *
 * struct mmsghdr and recvmmsg(2) are declared only under _GNU_SOURCE (invisible to Swift's
 * Glibc module), so a port keeps one opaque batch: the mmsghdr array, one iovec and one
 * sockaddr_storage per slot, allocated once and reused for every read; and one opaque send batch,
 * the same arrays plus a buffer the datagrams are copied into until the batch is sent.
 */
#ifndef TWIST_DATAGRAM_H
#define TWIST_DATAGRAM_H

#include <stddef.h>

struct sockaddr;
struct twist_datagram_batch;

/* The flags for a non-blocking, close-on-exec datagram socket, for socket(2)'s type argument. */
int twist_sock_dgram_nonblocking_cloexec(void);

/* A batch of `capacity` slots (at least 1), or NULL when out of memory. */
struct twist_datagram_batch *twist_datagram_batch_create(int capacity);

/* Frees a batch made by twist_datagram_batch_create (NULL is ignored). */
void twist_datagram_batch_destroy(struct twist_datagram_batch *batch);

/* recvmmsg(fd, ..., MSG_DONTWAIT) of up to `count` datagrams (at most the capacity) into
 * `buffer`: slot i is `slot_size` bytes at buffer + i * slot_size. Returns how many datagrams
 * arrived, or -1 with errno set (EAGAIN when none was waiting). */
int twist_datagram_batch_receive(
    struct twist_datagram_batch *batch, int fd, void *buffer, size_t slot_size, int count);

/* The length of datagram `index` of the last receive (as stored, at most the slot size). */
size_t twist_datagram_batch_length(const struct twist_datagram_batch *batch, int index);

/* 1 when datagram `index` of the last receive was longer than its slot and cut (MSG_TRUNC). */
int twist_datagram_batch_truncated(const struct twist_datagram_batch *batch, int index);

/* The sender of datagram `index` of the last receive; its length goes to `*length`. */
const struct sockaddr *twist_datagram_batch_sender(
    const struct twist_datagram_batch *batch, int index, unsigned int *length);

struct twist_datagram_send_batch;

/* A send batch of up to `capacity` datagrams (at least 1) holding up to `bytes` bytes of payload
 * in all, or NULL when out of memory. */
struct twist_datagram_send_batch *twist_datagram_send_batch_create(int capacity, size_t bytes);

/* Frees a send batch (NULL is ignored). */
void twist_datagram_send_batch_destroy(struct twist_datagram_send_batch *batch);

/* Copies `length` bytes and the destination `to` (`to_length` bytes; NULL for the connected peer)
 * into the batch as its next datagram: 0, or -1 when the batch has no room for it (the datagram
 * count or the payload bytes are at their limit; an empty batch takes any datagram of at most
 * `bytes` bytes). */
int twist_datagram_send_batch_add(
    struct twist_datagram_send_batch *batch, const void *data, size_t length, const struct sockaddr *to,
    unsigned int to_length);

/* How many datagrams the batch holds. */
int twist_datagram_send_batch_count(const struct twist_datagram_send_batch *batch);

/* sendmmsg(fd, ..., MSG_DONTWAIT) of up to `limit` of the batch's datagrams from index `first` on:
 * how many the kernel took (in order; 0 when there are none from `first`), or -1 with errno set
 * when it took none (the error is datagram `first`'s). */
int twist_datagram_send_batch_send(struct twist_datagram_send_batch *batch, int fd, int first, int limit);

/* Empties the batch. */
void twist_datagram_send_batch_clear(struct twist_datagram_send_batch *batch);

/* Joins (join = 1) or leaves (join = 0) the IPv4 multicast group `group` (network order) on the
 * interface with local address `interface` (network order; 0 lets the kernel choose):
 * the setsockopt result, 0 or -1 with errno set. */
int twist_ipv4_membership(int fd, int join, unsigned int group, unsigned int interface);

/* Joins or leaves the IPv6 multicast group `group` (16 bytes) on interface index `index`
 * (0 lets the kernel choose): 0 or -1 with errno set. */
int twist_ipv6_membership(int fd, int join, const void *group, unsigned int index);

#endif /* TWIST_DATAGRAM_H */
