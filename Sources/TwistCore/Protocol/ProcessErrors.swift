/// The child process exited with status 0 (Twisted's `ProcessDone`, a ``ConnectionDone``): the
/// reason given to `processExited` and `processEnded` after a clean exit.
public final class ProcessDone: ConnectionDone, @unchecked Sendable {
    /// Always 0.
    public let exitCode: Int32 = 0
    /// The raw wait status (0).
    public let status: Int32

    /// The clean exit, with its raw wait status.
    public init(status: Int32 = 0) {
        self.status = status
        super.init("process finished with exit code 0")
    }

    /// "the process finished".
    public override var summary: String { "the process finished" }
}

/// The child process exited with a non-zero code, or was killed by a signal (Twisted's
/// `ProcessTerminated`, a ``ConnectionLost``). Exactly one of ``exitCode`` and ``signal`` is set.
public final class ProcessTerminated: ConnectionLost, @unchecked Sendable {
    /// The exit code, when the child exited by itself.
    public let exitCode: Int32?
    /// The signal that killed the child, when one did.
    public let signal: Int32?
    /// The raw wait status (`exitCode << 8`, or the signal number, plus 0x80 for a core dump).
    public let status: Int32

    /// The end of a child that exited with `exitCode` or was killed by `signal`.
    public init(exitCode: Int32? = nil, signal: Int32? = nil, status: Int32) {
        self.exitCode = exitCode
        self.signal = signal
        self.status = status
        if let signal {
            super.init("process ended by signal \(signal)")
        } else {
            super.init("process ended with exit code \(exitCode ?? -1)")
        }
    }

    /// "the process ended abnormally".
    public override var summary: String { "the process ended abnormally" }
}

/// `signalProcess` was called on a child that has already exited and been reaped, or that the
/// kernel no longer knows (Twisted's `ProcessExitedAlready`).
public struct ProcessExitedAlready: Error, Equatable, CustomStringConvertible {
    /// The error; it carries nothing, so any two are equal.
    public init() {}

    /// Says the process is gone.
    public var description: String { "the process has already exited" }
}

/// `spawnProcess` could not start the child: the executable is missing or not executable, the
/// working directory does not exist, a descriptor could not be made. Nothing was started and the
/// protocol was never connected.
public struct ProcessSpawnError: Error, Equatable, CustomStringConvertible {
    /// The executable asked for.
    public let executable: String
    /// What failed: "posix_spawn", "pipe2", "pidfd_open".
    public let call: String
    /// The `errno` it reported (ENOENT for a missing executable).
    public let osError: Int32
    /// The system's text for `osError`.
    public let reason: String

    /// Makes the error.
    public init(executable: String, call: String, osError: Int32, reason: String) {
        self.executable = executable
        self.call = call
        self.osError = osError
        self.reason = reason
    }

    /// Names the executable, the call and the system's reason.
    public var description: String {
        "cannot spawn \(executable): \(call) failed: \(reason) (errno \(osError))"
    }
}

/// `writeToChild` named a child descriptor that has no pipe the child reads: never set up as
/// ``ChildDescriptor/pipeToChild``, or its pipe is closed (Twisted raises KeyError).
public struct UnknownChildDescriptor: Error, Equatable, CustomStringConvertible {
    /// The child descriptor asked for.
    public let childFD: Int32

    /// Makes the error for `childFD`.
    public init(_ childFD: Int32) {
        self.childFD = childFD
    }

    /// Names the descriptor.
    public var description: String { "the child has no open pipe to write on descriptor \(childFD)" }
}
