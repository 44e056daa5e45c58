/// How a ``ServiceHost``'s run ended other than cleanly. Each reads as one line for the user.
public enum ServiceHostError: Error, CustomStringConvertible {
    /// A service failed to start; those started before it were stopped again, and the reactor
    /// should not run.
    case startFailed(String)
    /// The services stopped, but at least one failed to stop cleanly.
    case stopFailed(String)
    /// The services had not stopped when the grace period ran out; the reactor stopped anyway.
    case stopTimedOut(seconds: Double)
    /// The stop was cut short on request (a second signal, a cancelled task): the reactor
    /// stopped without waiting for the services.
    case stoppedAtOnce(String)

    /// One line for the user.
    public var description: String {
        switch self {
        case .startFailed(let reason): reason
        case .stopFailed(let reason): "stopped, but \(reason)"
        case .stopTimedOut(let seconds): "the services had not stopped after \(seconds) s; stopped anyway"
        case .stoppedAtOnce(let why): "stopped at once (\(why)), without waiting for the services"
        }
    }
}
