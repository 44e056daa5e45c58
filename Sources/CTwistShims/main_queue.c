#include "CTwistShims.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * libdispatch's hooks for a run loop that serves the main queue (CoreFoundation's on Linux,
 * exported by libdispatch.so): the first call turns the main queue over to the caller and returns
 * the eventfd that dispatch signals whenever work is queued on it; the second runs that work.
 */
extern int _dispatch_get_main_queue_handle_4CF(void);
extern void _dispatch_main_queue_callback_4CF(void *message);

int twist_is_main_thread(void) { return getpid() == (pid_t)syscall(SYS_gettid); }

int twist_main_queue_descriptor(void) {
    int descriptor = _dispatch_get_main_queue_handle_4CF();
    int flags = fcntl(descriptor, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK)) (void)fcntl(descriptor, F_SETFL, flags | O_NONBLOCK);
    return descriptor;
}

void twist_serve_main_queue(int descriptor) {
    eventfd_t signalled;
    (void)eventfd_read(descriptor, &signalled); /* non-blocking; clear it before running the jobs */
    _dispatch_main_queue_callback_4CF(0);
}
