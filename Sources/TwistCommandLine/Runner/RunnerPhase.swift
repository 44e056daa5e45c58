/// Where a ``TwistRunner`` is in its one run.
enum RunnerPhase {
    /// Services are being added; nothing runs yet.
    case configuring
    /// The services started and the reactor runs.
    case serving
    /// A stop was asked (by a signal, or by code calling `reactor.stop()`); the services are
    /// stopping, for at most the grace period.
    case stopping
    /// The run is over, with the error it ends with, if any.
    case finished((any Error)?)
}
