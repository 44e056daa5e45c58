#ifndef CSOAK_SUPPORT_H
#define CSOAK_SUPPORT_H
// What the soak runner and server need from the C library that Swift cannot call comfortably:
// sockaddr plumbing, epoll (its event struct is packed), posix_spawn with a pipe, rlimits.
// Every function returns -1 and leaves errno set on failure unless it says otherwise.
#include <stdint.h>
#include <sys/types.h>

/// Starts a non-blocking TCP connect to 127.0.0.1:port. rcvbuf > 0 sets SO_RCVBUF first.
/// Returns the socket (connected or connecting), or -1.
int soak_connect_loopback(int port, int rcvbuf);

/// The socket's pending error (SO_ERROR): 0 once a non-blocking connect succeeded.
int soak_socket_error(int fd);

/// SO_LINGER {on, 0}: close() then sends a reset instead of a FIN.
int soak_set_linger_zero(int fd);

/// Makes a socket blocking again, with a receive/send timeout in milliseconds (0: none).
int soak_set_blocking(int fd, int timeout_ms);

/// The local port of a socket, or -1.
int soak_local_port(int fd);

/// Raises this process's soft RLIMIT_NOFILE to min(want, hard limit); returns the new soft limit.
long soak_raise_nofile(long want);

/// Sets this process's soft RLIMIT_NOFILE to `limit` (lowering it); returns 0 or -1.
int soak_set_nofile(long limit);

/// epoll: create (close-on-exec), add/modify/remove `fd` with `events` and a 64-bit token.
int soak_epoll_create(void);
int soak_epoll_add(int ep, int fd, uint32_t events, uint64_t token);
int soak_epoll_mod(int ep, int fd, uint32_t events, uint64_t token);
int soak_epoll_del(int ep, int fd);
/// Waits up to timeout_ms; fills tokens[i]/events[i]; returns how many (0 on timeout or EINTR).
int soak_epoll_wait(int ep, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);

/// The EPOLL* constants (Swift imports them as an enum).
uint32_t soak_epollin(void);
uint32_t soak_epollout(void);
uint32_t soak_epollerr_hup(void);

/// Starts `argv[0]` (a path) with argv, stdout to a new pipe (*stdout_read gets its read end,
/// close-on-exec), stdin from /dev/null, stderr inherited or to stderr_path when given.
/// Returns the pid or -1.
pid_t soak_spawn(char *const argv[], int *stdout_read, const char *stderr_path);

/// waitpid(pid, WNOHANG): 0 while running; 1 when it ended (*status: exit code, or 128+signal).
int soak_try_wait(pid_t pid, int *status);

/// Finds this process's listening IPv4 socket on `port` (among descriptors below 1024) and sets
/// its SO_SNDBUF to `bytes`; sockets it accepts inherit the size (and lose send autotuning).
/// Returns the listener's descriptor, or -1.
int soak_set_listener_send_buffer(int port, int bytes);

#endif
