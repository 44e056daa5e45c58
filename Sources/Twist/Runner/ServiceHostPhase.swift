/// Where a ``ServiceHost`` is in its one run.
enum ServiceHostPhase {
    /// Services are being added; nothing runs yet.
    case configuring
    /// The services started; the reactor serves.
    case serving
    /// A stop was asked (a signal, a service manager, or code calling `reactor.stop()`): the
    /// services are stopping, for at most the grace period.
    case stopping
    /// The run is over, with how it ended if not cleanly.
    case finished(ServiceHostError?)
}
