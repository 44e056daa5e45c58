import Glibc
import TwistCore

/// Connecting to a UNIX socket, for ``StreamConnector``: the address is the name as given (a path
/// or an abstract name), checked against its lock file first when `checkPID` is set. The
/// connection's peer is that name; its host is unnamed (a client socket is never bound).
struct UNIXConnectorKind: StreamConnectorKind {
    /// The name to connect to, as given.
    let name: UNIXAddress
    /// Whether a live process must hold `<path>.lock`.
    let checkPID: Bool

    var destination: Address { .unix(name) }

    func resolve(on reactor: Reactor, _ completion: @escaping (Result<SystemAddress, NetworkError>) -> Void) {
        guard let address = SystemAddress(unix: name) else {
            completion(.failure(ConnectError("\(name): \(SystemAddress.unixNameProblem(name))")))
            return
        }
        if checkPID {
            guard let path = name.path else {
                completion(.failure(BadFileError("\(name): an abstract name has no lock file")))
                return
            }
            guard UNIXLockFile.isHeldByLiveProcess(path + ".lock") else {
                completion(.failure(BadFileError("\(path).lock names no live process")))
                return
            }
        }
        completion(.success(address))
    }

    func prepare(_ fd: Int32) -> NetworkError? { nil }

    /// Refused when nobody listens (ECONNREFUSED) and when the listener's backlog is full
    /// (EAGAIN: a UNIX connect does not wait); any other errno is a plain ``ConnectError``.
    func connectFailure(_ code: Int32) -> NetworkError {
        let reason = SystemCallError("connect", code: code).reason
        if code == ECONNREFUSED || code == EAGAIN {
            return ConnectionRefusedError("\(name): \(reason)", osError: code)
        }
        return ConnectError("\(name): \(reason)", osError: code)
    }

    func connectedPeer(_ fd: Int32) -> Address {
        destination
    }

    func makeConnection(
        fd: Int32, peer: Address, protocol: Protocol, reactor: Reactor, onClosed: @escaping (Failure) -> Void
    ) -> StreamConnection {
        UNIXConnection(fd: fd, host: .unix(.unnamed), peer: peer, protocol: `protocol`, reactor: reactor, onClosed: onClosed)
    }
}
