import CMallocCounter

/// Heap allocations counted by the CMallocCounter target, which defines `malloc`, `calloc`,
/// `realloc`, `free` and the aligned allocators in this executable and forwards them to glibc's
/// `__libc_*` functions. Every thread's allocations count, so measure only while one thread works.
enum AllocationCounter {
    /// Runs `body` `count` times with counting on and returns allocations per call.
    ///
    /// One uncounted call first, so one-time costs (generic metadata, lazy globals) stay out.
    static func allocationsPerCall(_ count: Int, _ body: () -> Void) -> Double {
        body()
        twist_malloc_counter_start()
        for _ in 0..<count { body() }
        twist_malloc_counter_stop()
        return Double(twist_malloc_counter_allocations()) / Double(count)
    }

    /// Counts the allocations made while `body` runs (including those of other threads).
    static func allocations(_ body: () -> Void) -> UInt64 {
        twist_malloc_counter_start()
        body()
        twist_malloc_counter_stop()
        return twist_malloc_counter_allocations()
    }

    /// Starts counting from zero (for measurements that span reactor turns).
    static func start() { twist_malloc_counter_start() }

    /// Stops counting and returns the allocations counted since ``start()``.
    static func stop() -> UInt64 {
        twist_malloc_counter_stop()
        return twist_malloc_counter_allocations()
    }
}
