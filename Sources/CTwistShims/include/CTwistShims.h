/*
 * CTwistShims: C that a header-only system module cannot hold.
 *
 * - The thread-local "current reactor" marker. Swift asks it "am I on this reactor's thread?".
 *   pthread_self() is not usable for that: glibc declares it __attribute__((const)), and the
 *   optimiser may reuse one result across an await, which then answers for the wrong thread.
 */
#ifndef CTWISTSHIMS_H
#define CTWISTSHIMS_H

/* The reactor running on the calling thread, or NULL. Only the reactor's run() sets it. */
void *twist_current_reactor(void);

/* Marks the calling thread as running `reactor` (NULL to clear). */
void twist_set_current_reactor(void *reactor);

#endif /* CTWISTSHIMS_H */
