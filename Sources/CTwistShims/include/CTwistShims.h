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

/* Marks the calling thread as running `reactor` (NULL to clear). */
void twist_set_current_reactor(void *reactor);

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

/* Starts `file` (searched on the parent's PATH when it has no slash) with `argv` and `envp`
 * (NULL-terminated) through posix_spawnp. The child's descriptor targets[i] is a copy of the
 * parent's sources[i]; every other descriptor is closed in the child; `directory` (or NULL) is its
 * working directory; every signal is at its default action and unblocked. 0 with `*pid` set, or
 * the error number (ENOENT for a missing executable: glibc reports exec failures). */
int twist_spawn(const char *file, char *const argv[], char *const envp[], const char *directory,
                const int *targets, const int *sources, int count, int *pid);

/* pidfd_open(pid, 0): a close-on-exec descriptor that becomes readable when the child exits, or
 * -1 with errno set (ENOSYS before Linux 5.3). */
int twist_pidfd_open(int pid);

/* Reaps the child behind `pidfd` (or, when pidfd is -1, the child `pid`) without blocking:
 * waitid(P_PIDFD or P_PID, WEXITED | WNOHANG). 1 with `*code` (CLD_EXITED, CLD_KILLED,
 * CLD_DUMPED) and `*status` (exit code or signal) set; 0 when it has not exited; -1 with errno. */
int twist_reap(int pidfd, int pid, int *code, int *status);

/* pipe2(fds, O_CLOEXEC), which glibc declares only under _GNU_SOURCE. */
int twist_pipe_cloexec(int fds[2]);

/* CLD_EXITED and CLD_DUMPED, which Swift's Glibc module does not import. */
int twist_cld_exited(void);
int twist_cld_dumped(void);

#endif /* CTWISTSHIMS_H */
