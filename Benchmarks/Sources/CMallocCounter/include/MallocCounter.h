#ifndef TWIST_MALLOC_COUNTER_H
#define TWIST_MALLOC_COUNTER_H

#include <stdint.h>

/// Counts heap allocations made by the whole process (every thread) while counting is on.
///
/// The benchmark executable defines malloc, calloc, realloc, free, posix_memalign,
/// aligned_alloc and memalign itself; the dynamic linker then binds every library's calls
/// (the Swift runtime's included) to these, which count and forward to glibc's own
/// __libc_* entry points. Counting is off by default so timed runs pay only one load per call.

/// Starts counting from zero.
void twist_malloc_counter_start(void);

/// Stops counting; the totals stay readable.
void twist_malloc_counter_stop(void);

/// Allocations (malloc, calloc, aligned allocations, realloc) counted since the last start.
uint64_t twist_malloc_counter_allocations(void);

/// Frees of non-null pointers counted since the last start.
uint64_t twist_malloc_counter_frees(void);

#endif
