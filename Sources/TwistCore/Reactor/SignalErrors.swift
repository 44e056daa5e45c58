/// A signal handler was asked for a number that is not a catchable signal (zero, negative, beyond
/// the last real-time signal, SIGKILL or SIGSTOP).
public struct InvalidSignal: Error, Equatable, CustomStringConvertible {
    /// The number asked for.
    public let signalNumber: Int32

    /// Makes the error for `signalNumber`.
    public init(_ signalNumber: Int32) {
        self.signalNumber = signalNumber
    }

    /// Names the number.
    public var description: String { "\(signalNumber) is not a signal a handler can catch" }
}

/// A signal handler was asked for a signal another reactor of this process already watches: the
/// event library lets one loop at a time watch a signal.
public struct SignalInUse: Error, Equatable, CustomStringConvertible {
    /// The signal asked for.
    public let signalNumber: Int32

    /// Makes the error for `signalNumber`.
    public init(_ signalNumber: Int32) {
        self.signalNumber = signalNumber
    }

    /// Names the signal.
    public var description: String { "signal \(signalNumber) is already watched by another reactor of this process" }
}
