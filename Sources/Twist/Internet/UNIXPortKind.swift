import Glibc
import Logging
import TwistCore

/// A UNIX listening socket, for ``StreamPort``: binds a filesystem path or a Linux abstract name,
/// sets the socket file's mode exactly, optionally holds `<path>.lock`, and removes the file and
/// the lock when the port closes.
///
/// Without a lock, anything already at the path makes `bind` fail (EADDRINUSE) and is left alone.
/// With one, a stale lock (its process is gone) is replaced and a *socket* left at the path by
/// that process is removed first; a regular file never is.
struct UNIXPortKind: StreamPortKind {
    static let logName = "UNIX"

    /// The name to listen on, as given.
    let name: UNIXAddress
    /// The socket file's permissions, applied after `bind` whatever the umask.
    let mode: Int
    /// Whether to take `<path>.lock` first.
    let wantPID: Bool
    /// The lock while the port holds it.
    private var lock: UNIXLockFile?

    /// The kind for `path`.
    ///
    /// - Throws: ``InvalidAddressError`` for an abstract name with `wantPID` (there is no file to
    ///   lock beside it).
    init(path: String, mode: Int, wantPID: Bool) throws {
        name = UNIXAddress(path)
        if wantPID && name.isAbstract {
            throw InvalidAddressError("an abstract UNIX name (\(name)) cannot have a lock file (wantPID)")
        }
        self.mode = mode
        self.wantPID = wantPID
    }

    mutating func openListeningSocket(backlog: Int) throws -> (fd: Int32, address: Address) {
        guard let bindAddress = SystemAddress(unix: name) else {
            throw CannotListenError(unix: name, SystemAddress.unixNameProblem(name))
        }
        if wantPID, let path = name.path {
            switch UNIXLockFile.acquire(path + ".lock") {
            case .taken(let taken, let replacedStale):
                lock = taken
                if replacedStale { Self.removeStaleSocket(at: path) }
            case .held:
                throw CannotListenError(unix: name, "Cannot acquire lock")
            case .failed(let error):
                throw CannotListenError(unix: name, "Cannot acquire lock: \(error)", osError: error.code)
            }
        }
        let fd: Int32
        switch Sockets.makeStreamSocket(family: AF_UNIX) {
        case .success(let made): fd = made
        case .failure(let error):
            releaseLock(logger: nil)
            throw CannotListenError(unix: name, error.reason, osError: error.code)
        }
        guard bindAddress.withSockAddr({ bind(fd, $0, $1) }) == 0 else {
            let error = SystemCallError("bind")
            Sockets.close(fd)
            releaseLock(logger: nil)
            throw CannotListenError(unix: name, error.reason, osError: error.code)
        }
        var setUpFailure: SystemCallError?
        if let path = name.path, chmod(path, mode_t(mode)) != 0 {
            setUpFailure = SystemCallError("chmod")
        } else if listen(fd, Int32(backlog)) != 0 {
            setUpFailure = SystemCallError("listen")
        }
        if let setUpFailure {
            Sockets.close(fd)
            if let path = name.path { unlink(path) }
            releaseLock(logger: nil)
            throw CannotListenError(unix: name, setUpFailure.reason, osError: setUpFailure.code)
        }
        return (fd, .unix(name))
    }

    /// Removes what a dead process left at `path`, if it is a socket (never anything else).
    private static func removeStaleSocket(at path: String) {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else { return }
        unlink(path)
    }

    func peerAddress(_ accepted: SystemAddress) -> Address {
        .unix(accepted.unixAddress)
    }

    func makeConnection(fd: Int32, peer: Address, portAddress: Address, protocol: Protocol, reactor: Reactor)
        -> StreamConnection
    {
        UNIXConnection(fd: fd, host: portAddress, peer: peer, protocol: `protocol`, reactor: reactor)
    }

    func logDescription(of address: Address) -> String {
        address.unix?.path ?? "\(address)"
    }

    /// Removes the socket file (a missing one is fine: someone removed it already) and releases
    /// the lock.
    mutating func didClose(logger: Logger) {
        if let path = name.path, unlink(path) != 0, errno != ENOENT {
            logger.error("could not remove the UNIX socket file", metadata: ["path": "\(path)", "error": "\(SystemCallError("unlink"))"])
        }
        releaseLock(logger: logger)
    }

    /// Releases the lock if held; a failure is logged when there is a `logger` (while opening,
    /// the error being thrown matters more).
    private mutating func releaseLock(logger: Logger?) {
        if let error = lock?.release() {
            logger?.error("could not remove the lock file", metadata: ["path": "\(lock!.path)", "error": "\(error)"])
        }
        lock = nil
    }
}
