/* Child processes: posix_spawnp with the descriptor map as file actions, and pidfds. */
#include "twist_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* The attributes every child gets, then the spawn itself; destroys `actions` whatever happens.
 * The parent ignores SIGPIPE and threads may block signals: the child starts with every signal at
 * its default action and none blocked. `extraFlags` adds POSIX_SPAWN_SETSID for a terminal. */
static int spawn_with(const char *file, char *const argv[], char *const envp[], const char *directory,
                      posix_spawn_file_actions_t *actions, int status, short extraFlags, int *pid) {
    posix_spawnattr_t attributes;
    if (status == 0 && directory != NULL) status = posix_spawn_file_actions_addchdir_np(actions, directory);
    if (status != 0) {
        posix_spawn_file_actions_destroy(actions);
        return status;
    }
    status = posix_spawnattr_init(&attributes);
    if (status != 0) {
        posix_spawn_file_actions_destroy(actions);
        return status;
    }
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    status = posix_spawnattr_setsigdefault(&attributes, &all);
    if (status == 0) status = posix_spawnattr_setsigmask(&attributes, &none);
    if (status == 0)
        status = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | extraFlags);
    if (status == 0) status = posix_spawnp(pid, file, actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(actions);
    return status;
}

int twist_spawn(const char *file, char *const argv[], char *const envp[], const char *directory,
                const int *targets, const int *sources, int count, int *pid) {
    posix_spawn_file_actions_t actions;
    int status = posix_spawn_file_actions_init(&actions);
    if (status != 0) return status;

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
    return spawn_with(file, argv, envp, directory, &actions, status, 0, pid);
}

int twist_open_pty(int *master, int *slave, char *name, size_t nameSize) {
    int masterFD = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (masterFD < 0) return errno;
    int status = 0;
    if (grantpt(masterFD) != 0 || unlockpt(masterFD) != 0) status = errno;
    if (status == 0) status = ptsname_r(masterFD, name, nameSize);
    int slaveFD = -1;
    if (status == 0) {
        slaveFD = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slaveFD < 0) status = errno;
    }
    if (status == 0) {
        int flags = fcntl(masterFD, F_GETFL);
        if (flags < 0 || fcntl(masterFD, F_SETFL, flags | O_NONBLOCK) != 0) status = errno;
    }
    if (status != 0) {
        if (slaveFD >= 0) close(slaveFD);
        close(masterFD);
        return status;
    }
    *master = masterFD;
    *slave = slaveFD;
    return 0;
}

int twist_spawn_pty(const char *file, char *const argv[], char *const envp[], const char *directory,
                    const char *slaveName, int *pid) {
    posix_spawn_file_actions_t actions;
    int status = posix_spawn_file_actions_init(&actions);
    if (status != 0) return status;
    /* glibc runs setsid (POSIX_SPAWN_SETSID) before the file actions, so this open, by a session
     * leader with no controlling terminal and without O_NOCTTY, makes the slave the child's
     * controlling terminal; then stdout and stderr are copies of it, and nothing else is open. */
    status = posix_spawn_file_actions_addopen(&actions, 0, slaveName, O_RDWR, 0);
    if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, 0, 1);
    if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, 0, 2);
    if (status == 0) status = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    return spawn_with(file, argv, envp, directory, &actions, status, POSIX_SPAWN_SETSID, pid);
}

int twist_pty_eof_character(int master) {
    struct termios settings;
    if (tcgetattr(master, &settings) != 0) return -1;
    if ((settings.c_lflag & ICANON) == 0 || settings.c_cc[VEOF] == _POSIX_VDISABLE) return -1;
    return settings.c_cc[VEOF];
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
