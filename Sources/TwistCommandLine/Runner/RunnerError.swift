/// Why ``TwistRunner/run()`` ended other than with a clean stop. Each reads as one line for the
/// user; `mainWithUsageStatus2` prints it as `Error: …` and exits with status 1.
public enum RunnerError: Error, CustomStringConvertible {
    /// The pidfile could not be claimed; nothing was started.
    case pidFile(PIDFileError)
    /// A service failed to start; the ones started before it were stopped, and the reactor never ran.
    case startFailed(String)
    /// The services stopped, but at least one of them failed to stop cleanly.
    case stopFailed(String)
    /// The services had not stopped when the grace period ran out; the reactor stopped anyway.
    case stopTimedOut(seconds: Double)
    /// A second stop signal arrived during the graceful stop: the reactor stopped at once.
    case stoppedAtOnce(signal: Int32)

    /// One line for the user.
    public var description: String {
        switch self {
        case .pidFile(let error): "\(error)"
        case .startFailed(let reason): reason
        case .stopFailed(let reason): "stopped, but \(reason)"
        case .stopTimedOut(let seconds): "the services had not stopped after \(seconds) s; stopped anyway"
        case .stoppedAtOnce(let signal): "stopped at once on a second signal (\(signal)), without waiting for the services"
        }
    }
}
