/*
 * Child processes for Twist/Process: the spawn with its descriptor map as posix_spawn file actions,
 * pidfds, and reaping one child without blocking. Included by CTwistShims.h.
 */
#ifndef TWIST_PROCESS_H
#define TWIST_PROCESS_H

#include <stddef.h>

/* Starts `file` (searched on the parent's PATH when it has no slash) with `argv` and `envp`
 * (NULL-terminated) through posix_spawnp. The child's descriptor targets[i] is a copy of the
 * parent's sources[i]; every other descriptor is closed in the child; `directory` (or NULL) is its
 * working directory; every signal is at its default action and unblocked. 0 with `*pid` set, or
 * the error number (ENOENT for a missing executable: glibc reports exec failures). */
int twist_spawn(const char *file, char *const argv[], char *const envp[], const char *directory,
                const int *targets, const int *sources, int count, int *pid);

/* A pseudo-terminal pair: posix_openpt, grantpt, unlockpt, then the slave opened by its name
 * (written to `name`, nameSize bytes at most). Both ends are close-on-exec and opened with
 * O_NOCTTY (the parent never acquires the terminal); the master is non-blocking. 0 with both set,
 * or the error number with nothing left open. (Not openpty: it makes descriptors without
 * close-on-exec, and before glibc 2.34 it lives in libutil.) */
int twist_open_pty(int *master, int *slave, char *name, size_t nameSize);

/* Starts `file` as twist_spawn does, but as a session leader (POSIX_SPAWN_SETSID) whose
 * descriptors 0, 1 and 2 are the terminal `slaveName`, opened onto 0 so that it becomes the
 * child's controlling terminal; every other descriptor is closed. 0 with `*pid` set, or the
 * error number. */
int twist_spawn_pty(const char *file, char *const argv[], char *const envp[], const char *directory,
                    const char *slaveName, int *pid);

/* The terminal's end-of-file character (VEOF, normally ^D) as the line discipline behind
 * `master` has it, or -1 when it reads raw input (no ICANON) or the character is disabled. */
int twist_pty_eof_character(int master);

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

/* A user and/or group for a child to switch to before exec (root only). */
typedef struct {
    int setUser;
    unsigned int uid;
    int setGroup;
    unsigned int gid;
} twist_identity;

/* The step of twist_spawn_as that failed. */
enum {
    TWIST_STEP_FORK = 0,
    TWIST_STEP_DESCRIPTORS = 1,
    TWIST_STEP_SETSID = 2,
    TWIST_STEP_CHDIR = 3,
    TWIST_STEP_SETGROUPS = 4,
    TWIST_STEP_SETGID = 5,
    TWIST_STEP_SETUID = 6,
    TWIST_STEP_OPEN_TERMINAL = 7,
    TWIST_STEP_EXEC = 8,
    TWIST_STEP_REPORT_PIPE = 9,
};

/* Starts `file` as twist_spawn does (or, with `slaveName`, as twist_spawn_pty does, ignoring the
 * map), but through fork + execve so that the child can switch to `identity` first: supplementary
 * groups become just the (new or current) group, then setgid, then setuid (as root: real,
 * effective and saved ids alike). The executable
 * is found on the parent's PATH before the fork. A failure in the child (chdir, an id switch,
 * execve...) is reported through a close-on-exec pipe and the failed child reaped: the call then
 * returns its errno with `*failedStep` set (TWIST_STEP_*). 0 with `*pid` set on success. */
int twist_spawn_as(const char *file, char *const argv[], char *const envp[], const char *directory,
                   const int *targets, const int *sources, int count, const char *slaveName,
                   twist_identity identity, int *pid, int *failedStep);

/* Sets the window size of the terminal behind `terminal` (TIOCSWINSZ; on a master the
 * foreground process group of the terminal gets SIGWINCH when it changes). 0 or the errno. */
int twist_set_window_size(int terminal, unsigned short rows, unsigned short columns);

/* The terminal settings Twist exposes, each 0 or 1: ECHO; ICANON (with ISIG, IEXTEN, ICRNL and
 * IXON: cooked input) or none of them (raw input, VMIN 1, VTIME 0); OPOST with ONLCR (output
 * "\n" becomes "\r\n"). */
typedef struct {
    int echo;
    int canonical;
    int mapNewline;
} twist_terminal_settings;

/* Reads those settings of the terminal behind `terminal` (a master or a slave: on Linux the
 * master's termios calls reach the slave's line discipline). 0 or the errno of tcgetattr. */
int twist_get_terminal_settings(int terminal, twist_terminal_settings *settings);

/* Changes those settings (tcgetattr, then tcsetattr TCSANOW), leaving every other flag as it is.
 * 0 or the errno. */
int twist_set_terminal_settings(int terminal, twist_terminal_settings settings);

#endif /* TWIST_PROCESS_H */
