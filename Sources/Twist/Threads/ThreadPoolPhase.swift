/// Where a ``ThreadPool`` is in its single life.
///
/// ```
/// idle ──start──▶ running ──stop──▶ stopping ──last worker gone──▶ stopped
///   └──────────────────stop (queued work is discarded)──────────────▶ stopped
/// ```
enum ThreadPoolPhase: Equatable {
    /// Made, not started: work is queued, no thread exists.
    case idle
    /// Threads run work; more are made on demand up to the maximum.
    case running
    /// No new work is accepted; the workers finish what is queued, then exit.
    case stopping
    /// Every worker has exited.
    case stopped

    /// New work is accepted (queued) in this phase.
    var acceptsWork: Bool { self == .idle || self == .running }
}
