/// Who is holding a producer paused when two parties may: its own controller (the protocol
/// pausing its transport's reading, or the transport pausing a producer while its queue is full)
/// and ``ThrottlingFactory``'s rate limit. The producer runs only when neither holds it, so the
/// throttle's resume never undoes the controller's pause, nor the other way round (Twisted's
/// throttle resumes regardless).
enum ThrottlePause: Equatable {
    /// Nobody holds it: the producer runs.
    case running
    /// Its controller paused it.
    case pausedByController
    /// The rate limit paused it.
    case throttled
    /// Both did.
    case pausedAndThrottled

    /// What to do to the producer after a transition.
    enum Action: Equatable {
        /// Pause the producer: the first holder came.
        case pause
        /// Resume the producer: the last holder went.
        case resume
        /// Leave it as it is.
        case none
    }

    /// True while anyone holds the producer paused.
    var isPaused: Bool { self != .running }

    /// The controller pauses.
    mutating func controllerPauses() -> Action {
        transition(controller: true, throttle: isThrottled)
    }

    /// The controller resumes.
    mutating func controllerResumes() -> Action {
        transition(controller: false, throttle: isThrottled)
    }

    /// The rate limit pauses.
    mutating func throttle() -> Action {
        transition(controller: isPausedByController, throttle: true)
    }

    /// The rate limit lifts.
    mutating func unthrottle() -> Action {
        transition(controller: isPausedByController, throttle: false)
    }

    private var isThrottled: Bool { self == .throttled || self == .pausedAndThrottled }
    private var isPausedByController: Bool { self == .pausedByController || self == .pausedAndThrottled }

    private mutating func transition(controller: Bool, throttle: Bool) -> Action {
        let wasPaused = isPaused
        switch (controller, throttle) {
        case (false, false): self = .running
        case (true, false): self = .pausedByController
        case (false, true): self = .throttled
        case (true, true): self = .pausedAndThrottled
        }
        switch (wasPaused, isPaused) {
        case (false, true): return .pause
        case (true, false): return .resume
        default: return .none
        }
    }
}
