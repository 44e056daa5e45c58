import Glibc
import TwistCore

extension DatagramSocket {
    /// A UNIX datagram socket bound to `name` (`listenUNIXDatagram`), its file made with exactly
    /// `mode` (the umask does not apply; an abstract name has no file). Anything already at the
    /// path makes the bind fail; nothing is removed, then or when the port closes.
    ///
    /// - Throws: ``CannotListenError`` when the name is unusable (empty, too long), the path is
    ///   taken (`EADDRINUSE`), the directory is missing, or the mode cannot be set.
    static func unixBound(to name: UNIXAddress, mode: Int) throws -> DatagramSocket {
        guard let bindAddress = SystemAddress(unix: name) else {
            throw CannotListenError(unix: name, SystemAddress.unixNameProblem(name))
        }
        let fd: Int32
        switch Sockets.makeDatagramSocket(family: AF_UNIX) {
        case .success(let made): fd = made
        case .failure(let error): throw CannotListenError(unix: name, error.reason, osError: error.code)
        }
        guard bindAddress.withSockAddr({ bind(fd, $0, $1) }) == 0 else {
            let error = SystemCallError("bind")
            Sockets.close(fd)
            throw CannotListenError(unix: name, error.reason, osError: error.code)
        }
        if let path = name.path, chmod(path, mode_t(mode)) != 0 {
            let error = SystemCallError("chmod")
            Sockets.close(fd)
            unlink(path)
            throw CannotListenError(unix: name, error.reason, osError: error.code)
        }
        return DatagramSocket(fd: fd, kind: .unix, address: .unix(name), peer: nil)
    }

    /// A UNIX datagram socket connected to `name` (`connectUNIXDatagram`), bound first to
    /// `bindAddress` when one is given (otherwise it is unnamed, and its peer cannot answer it;
    /// a bound file is removed again when the connect fails).
    /// Every failure is a value, for the protocol's `connectionFailed`: ``ConnectError`` for an
    /// unusable name or a missing path (`ENOENT`), ``ConnectionRefusedError`` when nobody is
    /// bound there, ``ConnectBindError`` when `bindAddress` cannot be bound.
    static func unixConnected(to name: UNIXAddress, bindAddress: UNIXAddress?) -> Result<DatagramSocket, NetworkError> {
        guard let target = SystemAddress(unix: name) else {
            return .failure(ConnectError("\(name): \(SystemAddress.unixNameProblem(name))"))
        }
        var local: SystemAddress?
        if let bindAddress {
            guard let made = SystemAddress(unix: bindAddress) else {
                return .failure(ConnectBindError("\(bindAddress): \(SystemAddress.unixNameProblem(bindAddress))"))
            }
            local = made
        }
        let fd: Int32
        switch Sockets.makeDatagramSocket(family: AF_UNIX) {
        case .success(let made): fd = made
        case .failure(let error): return .failure(ConnectError("\(name): \(error.reason)", osError: error.code))
        }
        if let local, let bindAddress, local.withSockAddr({ bind(fd, $0, $1) }) != 0 {
            let error = SystemCallError("bind")
            Sockets.close(fd)
            return .failure(ConnectBindError("\(bindAddress): \(error.reason)", osError: error.code))
        }
        guard target.withSockAddr({ Glibc.connect(fd, $0, $1) }) == 0 else {
            let code = errno
            Sockets.close(fd)
            if let path = bindAddress?.path { unlink(path) }  // made by this call, for a port that never was
            return .failure(UNIXConnectorKind(name: name, checkPID: false).connectFailure(code))
        }
        let address = localAddress(of: fd, kind: .unix, fallback: .unix(bindAddress ?? .unnamed))
        return .success(DatagramSocket(fd: fd, kind: .unix, address: address, peer: .unix(name)))
    }
}
