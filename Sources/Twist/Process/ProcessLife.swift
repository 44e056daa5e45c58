import TwistCore

/// Where a child process is in its life, as its transport sees it: one value.
///
/// ```
/// running(pid) ──reaped──▶ exited(reason) ──last pipe closed──▶ ended
///      └────────reaped with no pipe open────────────────────────▲
/// ```
enum ProcessLife {
    /// Spawned and not yet reaped.
    case running(pid: Int32)
    /// Reaped (`processExited` told); some pipe is still open.
    case exited(reason: Failure)
    /// Reaped and every pipe closed (`processEnded` told).
    case ended

    /// The pid while the child is not reaped.
    var pid: Int32? {
        if case .running(let pid) = self { return pid }
        return nil
    }
}
