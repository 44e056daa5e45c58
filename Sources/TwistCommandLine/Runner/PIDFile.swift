import Foundation

/// A file holding the running server's process id (`--pidfile`), as Twisted's runner writes it:
/// the pid and a newline. A file left by a process that is gone is replaced; one whose process
/// is alive makes the claim fail, so two copies of a server do not run on one pidfile.
public struct PIDFile: Sendable {
    /// Where the file is.
    public let path: String

    /// The file at `path` (nothing is written yet).
    public init(path: String) {
        self.path = path
    }

    /// Writes this process's pid into the file, replacing a stale one.
    ///
    /// - Throws: ``PIDFileError/alreadyRunning(path:pid:)`` when the file names a live process
    ///   other than this one; ``PIDFileError/cannotWrite(path:reason:)`` when it cannot be
    ///   written (a missing directory, no permission).
    public func claim() throws(PIDFileError) {
        if let pid = recordedPID(), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM {
            throw .alreadyRunning(path: path, pid: pid)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let text = Array("\(getpid())\n".utf8)
        guard write(fd, text, text.count) == text.count else {
            throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Removes the file if it still names this process (a successor's file is left alone).
    public func release() {
        guard recordedPID() == getpid() else { return }
        unlink(path)
    }

    /// The pid the file names, or nil when it is missing or does not hold one.
    public func recordedPID() -> Int32? {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)
        else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why a ``PIDFile`` could not be claimed.
public enum PIDFileError: Error, CustomStringConvertible {
    /// The file names a process that is still running.
    case alreadyRunning(path: String, pid: Int32)
    /// The file cannot be written.
    case cannotWrite(path: String, reason: String)

    /// One line for the user.
    public var description: String {
        switch self {
        case .alreadyRunning(let path, let pid): "already running: pidfile \(path) names live process \(pid)"
        case .cannotWrite(let path, let reason): "cannot write pidfile \(path): \(reason)"
        }
    }
}
