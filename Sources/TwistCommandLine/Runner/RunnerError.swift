public import Twist

/// Why ``TwistRunner/run()`` ended other than with a clean stop. Each reads as one line for the
/// user; `mainWithUsageStatus2` prints it as `Error: …` and exits with status 1.
public enum RunnerError: Error, CustomStringConvertible {
    /// The pidfile could not be claimed; nothing was started.
    case pidFile(PIDFileError)
    /// The services failed to start or to stop cleanly (see ``ServiceHostError``).
    case services(ServiceHostError)

    /// One line for the user.
    public var description: String {
        switch self {
        case .pidFile(let error): "\(error)"
        case .services(let error): "\(error)"
        }
    }
}
