import Glibc

/// A UNIX port's lock, `<path>.lock`: a symbolic link whose target is the holder's process ID in
/// decimal (Twisted's `FilesystemLock`). Taking it is one `symlink`, which the filesystem makes
/// atomic; a lock naming a process that no longer exists is stale and may be replaced.
struct UNIXLockFile {
    /// What trying to take the lock came to.
    enum Outcome {
        /// The lock is ours; `replacedStale` when a dead holder's lock was removed first.
        case taken(UNIXLockFile, replacedStale: Bool)
        /// A live process (this one included) holds it.
        case held
        /// The lock could not be read or made.
        case failed(SystemCallError)
    }

    /// Who a lock names.
    private enum Holder {
        case live
        case dead
        case gone
        case unreadable(SystemCallError)
    }

    /// The lock's path.
    let path: String

    /// Tries to take the lock at `path` for this process, replacing a stale one.
    static func acquire(_ path: String) -> Outcome {
        let me = String(getpid())
        var replacedStale = false
        for _ in 0..<8 {  // another process may take or drop the lock in between: try again
            if symlink(me, path) == 0 { return .taken(UNIXLockFile(path: path), replacedStale: replacedStale) }
            guard errno == EEXIST else { return .failed(SystemCallError("symlink")) }
            switch holder(of: path) {
            case .live:
                return .held
            case .dead:
                guard unlink(path) == 0 || errno == ENOENT else { return .failed(SystemCallError("unlink")) }
                replacedStale = true
            case .gone:
                continue
            case .unreadable(let error):
                return .failed(error)
            }
        }
        return .held
    }

    /// True when a lock at `path` names a live process (`checkPID`).
    static func isHeldByLiveProcess(_ path: String) -> Bool {
        if case .live = holder(of: path) { return true }
        return false
    }

    /// Reads the lock's target and asks the kernel whether that process exists (`kill(pid, 0)`;
    /// EPERM means it exists under another user). A target that is not a process ID is stale.
    private static func holder(of path: String) -> Holder {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else {
            return errno == ENOENT ? .gone : .unreadable(SystemCallError("readlink"))
        }
        let text = String(decoding: buffer.prefix(count).map(UInt8.init), as: UTF8.self)
        guard let pid = Int64(text), pid > 0, pid <= Int64(Int32.max) else { return .dead }
        if kill(pid_t(pid), 0) == 0 || errno == EPERM { return .live }
        return .dead
    }

    /// Removes the lock if it still names this process; returns the error of a failed removal.
    func release() -> SystemCallError? {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        guard String(decoding: buffer.prefix(count).map(UInt8.init), as: UTF8.self) == String(getpid()) else { return nil }
        if unlink(path) != 0 && errno != ENOENT { return SystemCallError("unlink") }
        return nil
    }
}
