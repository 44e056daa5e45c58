/*
 * CLibev: the parts of <ev.h> that Swift cannot import, as static inline functions.
 *
 * Swift imports libev's real functions and watcher structs directly. What it cannot import are
 * the function-like macros (ev_io_init, ev_timer_set, ev_is_active, ...) and the object-like
 * macros that expand to expressions (EV_MINPRI, EV_MAXPRI). Each gets a one-line wrapper here,
 * named clibev_<macro>. Nothing else belongs in this file: libev's configuration macros must not
 * be redefined, because they change struct layouts and would no longer match libev.so.
 */
#ifndef CLIBEV_SHIM_H
#define CLIBEV_SHIM_H

#include <ev.h>

typedef void (*clibev_io_cb)(struct ev_loop *loop, ev_io *watcher, int revents);
typedef void (*clibev_timer_cb)(struct ev_loop *loop, ev_timer *watcher, int revents);
typedef void (*clibev_async_cb)(struct ev_loop *loop, ev_async *watcher, int revents);
typedef void (*clibev_signal_cb)(struct ev_loop *loop, ev_signal *watcher, int revents);
typedef void (*clibev_idle_cb)(struct ev_loop *loop, ev_idle *watcher, int revents);
typedef void (*clibev_invoke_pending_cb)(struct ev_loop *loop);

/* Generic watcher set-up and state, for any watcher type (pass the watcher's address). */
static inline void clibev_init(void *w, void (*cb)(struct ev_loop *, ev_watcher *, int)) { ev_init((ev_watcher *)w, cb); }
static inline int clibev_is_active(const void *w) { return ev_is_active(w); }
static inline int clibev_is_pending(const void *w) { return ev_is_pending(w); }
static inline int clibev_priority(const void *w) { return ev_priority((ev_watcher *)(void *)w); }
static inline void clibev_set_priority(void *w, int pri) { ev_set_priority((ev_watcher *)w, pri); }
static inline void *clibev_data(const void *w) { return ((const ev_watcher *)w)->data; }
static inline void clibev_set_data(void *w, void *data) { ((ev_watcher *)w)->data = data; }
static inline int clibev_minimum_priority(void) { return EV_MINPRI; }
static inline int clibev_maximum_priority(void) { return EV_MAXPRI; }

/* I/O watchers. */
static inline void clibev_io_init(ev_io *w, clibev_io_cb cb, int fd, int events) { ev_io_init(w, cb, fd, events); }
static inline void clibev_io_set(ev_io *w, int fd, int events) { ev_io_set(w, fd, events); }
static inline void clibev_io_modify(ev_io *w, int events) { ev_io_modify(w, events); }

/* Timers. Always set a one-shot timer again before restarting it (see Docs/Architecture.md). */
static inline void clibev_timer_init(ev_timer *w, clibev_timer_cb cb, ev_tstamp after, ev_tstamp repeat) { ev_timer_init(w, cb, after, repeat); }
static inline void clibev_timer_set(ev_timer *w, ev_tstamp after, ev_tstamp repeat) { ev_timer_set(w, after, repeat); }

/* Cross-thread wake-ups. */
static inline void clibev_async_init(ev_async *w, clibev_async_cb cb) { ev_async_init(w, cb); }
static inline int clibev_async_pending(ev_async *w) { return ev_async_pending(w); }

/* Signals and idle watchers. */
static inline void clibev_signal_init(ev_signal *w, clibev_signal_cb cb, int signum) { ev_signal_init(w, cb, signum); }
static inline void clibev_idle_init(ev_idle *w, clibev_idle_cb cb) { ev_idle_init(w, cb); }

#endif /* CLIBEV_SHIM_H */
