/* Child processes: posix_spawnp with the descriptor map as file actions, and pidfds. */
#include "twist_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int twist_spawn(const char *file, char *const argv[], char *const envp[], const char *directory,
                const int *targets, const int *sources, int count, int *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int status = posix_spawn_file_actions_init(&actions);
    if (status != 0) return status;
    status = posix_spawnattr_init(&attributes);
    if (status != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return status;
    }

    /* Every source first moves above every source and target number, then onto its target:
     * no mapping can overwrite a source another still needs, and dup2 onto a different number
     * clears close-on-exec, so even a descriptor mapped to its own number reaches the child. */
    int highest = 2;
    for (int i = 0; i < count; i++) {
        if (targets[i] > highest) highest = targets[i];
        if (sources[i] > highest) highest = sources[i];
    }
    int highestTarget = -1;
    for (int i = 0; i < count && status == 0; i++) {
        status = posix_spawn_file_actions_adddup2(&actions, sources[i], highest + 1 + i);
    }
    for (int i = 0; i < count && status == 0; i++) {
        status = posix_spawn_file_actions_adddup2(&actions, highest + 1 + i, targets[i]);
        if (targets[i] > highestTarget) highestTarget = targets[i];
    }
    /* Below the highest target, close the numbers no mapping names (closing an unopened one is
     * ignored); above it, close everything (the staging copies and anything else). */
    for (int fd = 0; fd < highestTarget && status == 0; fd++) {
        int mapped = 0;
        for (int i = 0; i < count; i++) mapped |= targets[i] == fd;
        if (!mapped) status = posix_spawn_file_actions_addclose(&actions, fd);
    }
    if (status == 0) status = posix_spawn_file_actions_addclosefrom_np(&actions, highestTarget + 1);
    if (status == 0 && directory != NULL) status = posix_spawn_file_actions_addchdir_np(&actions, directory);

    /* The parent ignores SIGPIPE and threads may block signals: the child starts with every
     * signal at its default action and none blocked. */
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    if (status == 0) status = posix_spawnattr_setsigdefault(&attributes, &all);
    if (status == 0) status = posix_spawnattr_setsigmask(&attributes, &none);
    if (status == 0) status = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    if (status == 0) status = posix_spawnp(pid, file, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return status;
}

int twist_pidfd_open(int pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int twist_reap(int pidfd, int pid, int *code, int *status) {
    siginfo_t info;
    info.si_pid = 0;
    int result = pidfd >= 0 ? waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG)
                            : waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG);
    if (result != 0) return -1;
    if (info.si_pid == 0) return 0;
    *code = info.si_code;
    *status = info.si_status;
    return 1;
}

int twist_cld_exited(void) { return CLD_EXITED; }
int twist_cld_dumped(void) { return CLD_DUMPED; }

int twist_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
