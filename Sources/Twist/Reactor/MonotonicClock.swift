import Glibc

/// The reactor's time source: `CLOCK_MONOTONIC` in seconds, so delayed calls are immune to
/// wall-clock changes. Its zero point is arbitrary (boot time on Linux).
enum MonotonicClock {
    /// The current monotonic time in seconds.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }
}
