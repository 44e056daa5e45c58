/*
 * CTwistShims: C that a header-only system module cannot hold.
 *
 * - accept4(2), which glibc declares only under _GNU_SOURCE (invisible to Swift's Glibc module).
 * - SO_PEERCRED's struct ucred, likewise declared only under _GNU_SOURCE.
 * - SCM_RIGHTS descriptor passing: the CMSG_* macros are not importable.
 * - The main dispatch queue's run-loop hooks, so a reactor on the main thread serves the main actor.
 * - The thread-local "current reactor" marker. Swift asks it "am I on this reactor's thread?".
 *   pthread_self() is not usable for that: glibc declares it __attribute__((const)), and the
 *   optimiser may reuse one result across an await, which then answers for the wrong thread.
 */
#ifndef CTWISTSHIMS_H
#define CTWISTSHIMS_H

/* The reactor running on the calling thread, or NULL. Only the reactor's run() sets it.
 * Inline, and initial-exec TLS (Twist is linked into the program, never dlopen'ed): the
 * confinement check on every transport write is one thread-pointer-relative load, not a call
 * into the C module and __tls_get_addr. */
extern _Thread_local void *twist_current_reactor_marker __attribute__((tls_model("initial-exec")));
static inline void *twist_current_reactor(void) { return twist_current_reactor_marker; }

/* A hint to the CPU that the caller is polling in a loop (x86 PAUSE, ARM YIELD): lets the other
 * hardware thread run and saves power while a thread pool worker polls for its next job. */
static inline void twist_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Marks the calling thread as running `reactor` (NULL to clear). */
void twist_set_current_reactor(void *reactor);

/* Child processes: posix_spawnp with a descriptor map, pidfds, reaping. */
#include "twist_process.h"

struct sockaddr;

/* accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC): one call for a ready-to-use connection. */
int twist_accept_nonblocking(int fd, struct sockaddr *address, unsigned int *length);

/* The flags for a non-blocking, close-on-exec stream socket, for socket(2)'s type argument. */
int twist_sock_stream_nonblocking_cloexec(void);

/* The credentials (pid, uid, gid) of the peer of connected UNIX socket `fd`, as the kernel
 * recorded them at connect time (SO_PEERCRED): 0, or -1 with errno set. */
int twist_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid);

struct iovec;

/* Sends one byte at `byte` with descriptor `passed` attached (SCM_RIGHTS, MSG_NOSIGNAL): the
 * sendmsg result (1, or -1 with errno set). */
long twist_send_descriptor(int fd, const void *byte, int passed);

/* recvmsg into `count` vectors with 4 KiB of ancillary space and MSG_CMSG_CLOEXEC. Descriptors
 * that arrived (SCM_RIGHTS, in order, across every control message) go to `descriptors`, up to
 * `capacity` (any beyond are closed); `*received` is how many, `*others` the number of other
 * control messages (ignored). Returns the recvmsg result. */
long twist_receive_with_descriptors(
    int fd, struct iovec *vectors, int count, int *descriptors, int capacity, int *received, int *others);

/* True (1) on the process's main thread. */
int twist_is_main_thread(void);

/* The main dispatch queue's wake-up descriptor (an eventfd). The first call hands the main queue
 * to the caller's loop, which must then call twist_serve_main_queue whenever it is readable:
 * this is how main-actor work runs while a reactor occupies the main thread. */
int twist_main_queue_descriptor(void);

/* Clears the descriptor and runs the work queued on the main queue. */
void twist_serve_main_queue(int descriptor);

/* Batched datagram reads and multicast membership, for UDP. */
#include "twist_datagram.h"

#endif /* CTWISTSHIMS_H */
