import Glibc

/// How long a ``ClientService`` waits before its next connection attempt: given how many attempts
/// in a row have failed (1 for the first retry), the delay in seconds.
public typealias RetryPolicy = (_ failedAttempts: Int) -> Double

/// Twisted's exponential backoff (`twisted.application.internet.backoffPolicy`): the retry after
/// `n` consecutive failures waits `min(initialDelay · factor^min(n, 100), maxDelay) + jitter()`
/// seconds.
///
/// With the defaults the waits are 1.5, 2.25, 3.375, … 57.67, then 60 s for ever, each plus up to
/// one second of jitter. The exponent stops at 100 so that a long outage cannot overflow it, and
/// a delay that is still too large for a `Double` (a huge `factor`), or not a number at all,
/// becomes `maxDelay`.
///
/// - Parameters:
///   - initialDelay: the delay before the exponent is applied, in seconds.
///   - maxDelay: the longest wait before jitter, in seconds.
///   - factor: what each further failure multiplies the delay by.
///   - jitter: called once per retry; its result is added to the delay, so that many clients that
///     lost the same server do not all come back at the same instant. The default draws uniformly
///     from [0, 1). Tests pass a constant.
public func backoffPolicy(
    initialDelay: Double = 1,
    maxDelay: Double = 60,
    factor: Double = 1.5,
    jitter: @escaping () -> Double = { Double.random(in: 0..<1) }
) -> RetryPolicy {
    { failedAttempts in
        let exponent = min(max(failedAttempts, 0), 100)
        var delay = initialDelay * pow(factor, Double(exponent))
        if !delay.isFinite || delay > maxDelay { delay = maxDelay }
        return delay + jitter()
    }
}
