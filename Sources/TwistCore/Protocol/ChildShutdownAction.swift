/// What the reactor does, when it shuts down, to a child spawned with this action that is still
/// running (`spawnProcess(…, onReactorShutdown:)`).
///
/// Whatever the action, shutdown waits a grace (1 second) for running children to exit, reaping
/// and reporting each that does (`processExited`, then `processEnded`), and closes every pipe.
/// The actions only differ in what is sent to the child first. Signals go to the child's pid
/// alone, as ``ProcessTransport/signalProcess(_:)`` sends them, not to its process group.
public enum ChildShutdownAction: Sendable, Equatable {
    /// Send nothing: a child still running after the grace is left running (and unreaped), as
    /// in Twisted. The default.
    case leaveRunning
    /// Send `signal` (SIGTERM, say) as shutdown begins, then wait the grace for the child to exit.
    case signal(Int32)
    /// Send `signal` as shutdown begins; if the child is still running `after` seconds later,
    /// send SIGKILL. Shutdown then waits up to `after` plus the grace, so a child that ignores
    /// `signal` is still killed and reaped before the reactor stops.
    case signalThenKill(Int32, after: Double)
}
