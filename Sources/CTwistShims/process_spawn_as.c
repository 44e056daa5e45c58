/* Child processes that switch user or group before exec: posix_spawn cannot, so fork + execve.
 * Everything the child runs between fork and execve is async-signal-safe (raw system calls); the
 * executable is found on the parent's PATH before the fork; a failure in the child is written to
 * a close-on-exec pipe, so the parent still reports it synchronously with its errno. */
#include "twist_process.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The kernel's struct sigaction (x86-64 and arm64 alike), for rt_sigaction without glibc. */
struct kernel_sigaction {
    __sighandler_t handler;
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

/* What the child reports through the pipe when a step fails. */
struct child_failure {
    int step;
    int error;
};

/* `file` as posix_spawnp would find it: as is with a slash, else the first executable regular
 * file in the parent's PATH (default "/bin:/usr/bin"; an empty entry is the current directory).
 * 0 with `resolved` set, or an errno (EACCES if only non-executable candidates were found). */
static int resolve_executable(const char *file, char *resolved, size_t size) {
    if (file[0] == '\0') return ENOENT;
    if (strchr(file, '/') != NULL) {
        if (strlen(file) >= size) return ENAMETOOLONG;
        strcpy(resolved, file);
        return 0;
    }
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0') path = "/bin:/usr/bin";
    int lastError = ENOENT;
    for (const char *start = path;;) {
        const char *end = strchr(start, ':');
        size_t length = end ? (size_t)(end - start) : strlen(start);
        const char *directory = length == 0 ? "." : start;
        if (length == 0) length = 1;
        if (length + 1 + strlen(file) < size) {
            memcpy(resolved, directory, length);
            resolved[length] = '/';
            strcpy(resolved + length + 1, file);
            struct stat info;
            if (access(resolved, X_OK) == 0 && stat(resolved, &info) == 0 && S_ISREG(info.st_mode)) return 0;
            if (errno == EACCES) lastError = EACCES;
        }
        if (end == NULL) return lastError;
        start = end + 1;
    }
}

/* The child after fork: never returns. Reports a failed step on `report` and exits 127. */
static void run_child(const char *executable, char *const argv[], char *const envp[], const char *directory,
                      const int *targets, const int *sources, int count, const char *slaveName,
                      twist_identity identity, int report) {
    struct child_failure failure = {TWIST_STEP_EXEC, 0};
    /* Every number the mapping below uses stays clear of the report pipe. */
    int highest = 2;
    for (int i = 0; i < count; i++) {
        if (targets[i] > highest) highest = targets[i];
        if (sources[i] > highest) highest = sources[i];
    }
    int moved = fcntl(report, F_DUPFD_CLOEXEC, highest + count + 1);
    if (moved < 0) goto fail_map;
    report = moved;

    if (slaveName != NULL) {
        /* A session leader without a controlling terminal opening a terminal acquires it; it
         * is opened before the ids change (the slave belongs to the parent's user). */
        failure.step = TWIST_STEP_SETSID;
        if (setsid() < 0) goto fail;
        failure.step = TWIST_STEP_OPEN_TERMINAL;
        int terminal = open(slaveName, O_RDWR);
        if (terminal < 0) goto fail;
        for (int fd = 0; fd < 3; fd++)
            if (terminal != fd && dup2(terminal, fd) < 0) goto fail_map;
    }
    if (directory != NULL) {
        failure.step = TWIST_STEP_CHDIR;
        if (chdir(directory) != 0) goto fail;
    }
    if (identity.setGroup || identity.setUser) {
        gid_t group = identity.setGroup ? (gid_t)identity.gid : getgid();
        failure.step = TWIST_STEP_SETGROUPS;
        if (syscall(SYS_setgroups, 1, &group) != 0) goto fail;
        /* setgid/setuid as root set the real, effective and saved ids alike; -1 is EINVAL. */
        if (identity.setGroup) {
            failure.step = TWIST_STEP_SETGID;
            if (syscall(SYS_setgid, group) != 0) goto fail;
        }
        if (identity.setUser) {
            failure.step = TWIST_STEP_SETUID;
            if (syscall(SYS_setuid, (uid_t)identity.uid) != 0) goto fail;
        }
    }

    int highestTarget;
    if (slaveName != NULL) {
        highestTarget = 2;
    } else {
        /* As twist_spawn: every source moves above every number first, then onto its target. */
        for (int i = 0; i < count; i++)
            if (dup2(sources[i], highest + 1 + i) < 0) goto fail_map;
        highestTarget = -1;
        for (int i = 0; i < count; i++) {
            if (dup2(highest + 1 + i, targets[i]) < 0) goto fail_map;
            if (targets[i] > highestTarget) highestTarget = targets[i];
        }
        for (int fd = 0; fd < highestTarget; fd++) {
            int mapped = 0;
            for (int i = 0; i < count; i++) mapped |= targets[i] == fd;
            if (!mapped) close(fd);
        }
    }
    /* Everything above the highest target but the report pipe (close-on-exec) goes. */
    if (report > highestTarget + 1) syscall(SYS_close_range, highestTarget + 1, report - 1, 0);
    syscall(SYS_close_range, report + 1, ~0U, 0);

    /* Every signal at its default action, none blocked (the parent blocked all before fork).
     * Raw system calls: glibc's wrappers skip its own signals (32 and 33), which the parent may
     * have ignored or blocked too, and a fresh program should see none of that. */
    struct kernel_sigaction defaultAction;
    memset(&defaultAction, 0, sizeof defaultAction);
    defaultAction.handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; signal++) {
        if (signal != SIGKILL && signal != SIGSTOP)
            syscall(SYS_rt_sigaction, signal, &defaultAction, NULL, sizeof defaultAction.mask);
    }
    unsigned long none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);

    failure.step = TWIST_STEP_EXEC;
    execve(executable, argv, envp);
    goto fail;
fail_map:
    failure.step = TWIST_STEP_DESCRIPTORS;
fail:
    failure.error = errno;
    while (write(report, &failure, sizeof failure) < 0 && errno == EINTR) {}
    _exit(127);
}

int twist_spawn_as(const char *file, char *const argv[], char *const envp[], const char *directory,
                   const int *targets, const int *sources, int count, const char *slaveName,
                   twist_identity identity, int *pid, int *failedStep) {
    char executable[PATH_MAX];
    *failedStep = TWIST_STEP_EXEC;
    int status = resolve_executable(file, executable, sizeof executable);
    if (status != 0) return status;
    char *const *environment = envp != NULL ? envp : environ;

    int report[2];
    *failedStep = TWIST_STEP_REPORT_PIPE;
    if (pipe2(report, O_CLOEXEC) != 0) return errno;
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child = fork();
    if (child == 0) {
        close(report[0]);
        run_child(executable, argv, environment, directory, targets, sources, count, slaveName, identity,
                  report[1]);
    }
    int forkError = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (child < 0) {
        close(report[0]);
        *failedStep = TWIST_STEP_FORK;
        return forkError;
    }

    /* End of file: the exec succeeded (the pipe closed with it). A report: reap the child. */
    struct child_failure failure;
    size_t got = 0;
    while (got < sizeof failure) {
        ssize_t n = read(report[0], (char *)&failure + got, sizeof failure - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(report[0]);
    if (got == sizeof failure) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
        *failedStep = failure.step;
        return failure.error != 0 ? failure.error : EIO;
    }
    *pid = child;
    return 0;
}

int twist_set_window_size(int terminal, unsigned short rows, unsigned short columns) {
    struct winsize size;
    memset(&size, 0, sizeof size);
    size.ws_row = rows;
    size.ws_col = columns;
    return ioctl(terminal, TIOCSWINSZ, &size) == 0 ? 0 : errno;
}
