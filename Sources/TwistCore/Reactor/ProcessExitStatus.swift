/// How a child process ended, as the process utilities report it (Twisted reports an exit code, or
/// None for a signal; Twist says which).
public enum ProcessExitStatus: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The child exited by itself with this code.
    case exited(Int32)
    /// The child was killed by this signal.
    case signalled(Int32)
    /// The status could not be learnt (someone else reaped the child).
    case unknown

    /// The status behind a `processEnded` reason.
    public init(reason: Failure) {
        if reason.check(ProcessDone.self) != nil {
            self = .exited(0)
        } else if let terminated = reason.check(ProcessTerminated.self) {
            if let signal = terminated.signal {
                self = .signalled(signal)
            } else if let code = terminated.exitCode {
                self = .exited(code)
            } else {
                self = .unknown
            }
        } else {
            self = .unknown
        }
    }

    /// "exit code N", "signal N" or "unknown".
    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signalled(let signal): "signal \(signal)"
        case .unknown: "unknown"
        }
    }
}

/// What ``ReactorProcess/getProcessOutputAndValue(_:args:environment:workingDirectory:stdin:)``
/// collected from a child that exited by itself.
public struct ProcessOutputAndValue: Equatable, Sendable {
    /// Everything the child wrote to stdout.
    public let output: [UInt8]
    /// Everything the child wrote to stderr.
    public let errorOutput: [UInt8]
    /// Its exit code.
    public let exitCode: Int32

    /// Bundles the three.
    public init(output: [UInt8], errorOutput: [UInt8], exitCode: Int32) {
        self.output = output
        self.errorOutput = errorOutput
        self.exitCode = exitCode
    }
}

/// The child of `getProcessOutputAndValue` was killed by a signal (Twisted fails with the tuple
/// `(out, err, signal)`; Twist with this typed error carrying the same).
public struct ProcessSignalled: Error, Equatable, CustomStringConvertible {
    /// Everything the child wrote to stdout.
    public let output: [UInt8]
    /// Everything the child wrote to stderr.
    public let errorOutput: [UInt8]
    /// The signal that killed it.
    public let signal: Int32

    /// Bundles the three.
    public init(output: [UInt8], errorOutput: [UInt8], signal: Int32) {
        self.output = output
        self.errorOutput = errorOutput
        self.signal = signal
    }

    /// Names the signal.
    public var description: String { "the process was killed by signal \(signal)" }
}

/// `getProcessOutput` without `errorToo` saw the child write to stderr (Twisted's IOError "got
/// stderr: …"): the Deferred fails at once with the first stderr bytes, and every pipe to the
/// child is closed (it may then die of SIGPIPE).
public struct UnexpectedErrorOutput: Error, Equatable, CustomStringConvertible {
    /// The first bytes the child wrote to stderr.
    public let errorOutput: [UInt8]

    /// Makes the error with the stderr bytes.
    public init(errorOutput: [UInt8]) {
        self.errorOutput = errorOutput
    }

    /// "got stderr: …" with the bytes as text.
    public var description: String { "got stderr: \(String(decoding: errorOutput, as: UTF8.self).debugDescription)" }
}
