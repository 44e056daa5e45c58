import Glibc
import TwistCore

/// Connecting over TCP, for ``StreamConnector``: resolves the host (numeric at once; a name with
/// `getaddrinfo` on a thread of its own, so the loop never blocks), binds a local address if
/// asked, and reports addresses as IP addresses.
struct TCPConnectorKind: StreamConnectorKind {
    /// The host as given: a numeric address or a name.
    let host: String
    /// The port to connect to.
    let port: Int
    /// A local address to connect from, if any.
    let bindAddress: IPAddress?

    var destination: Address { .destination(host: host, port: port) }

    func resolve(on reactor: Reactor, _ completion: @escaping (Result<SystemAddress, NetworkError>) -> Void) {
        if let address = SystemAddress(numericHost: host, port: port) {
            completion(.success(address))
            return
        }
        let host = host
        let port = port
        let completion = UncheckedTransfer(completion)
        DetachedThread.start {
            // The first address, as Twisted's connectTCP does; HostnameEndpoint tries them all.
            let resolved = HostNameLookup.addresses(of: host, port: port).map { UncheckedTransfer($0[0]) }
            reactor.callFromThread {
                completion.value(resolved.map(\.value).mapError { $0 as NetworkError })
            }
        }
    }

    func prepare(_ fd: Int32) -> NetworkError? {
        guard let bindAddress else { return nil }
        guard let local = SystemAddress(numericHost: bindAddress.host, port: bindAddress.port),
              local.withSockAddr({ bind(fd, $0, $1) }) == 0
        else {
            let error = SystemCallError("bind")
            return ConnectBindError("\(bindAddress): \(error.reason)", osError: error.code)
        }
        return nil
    }

    func connectFailure(_ code: Int32) -> NetworkError {
        if code == ECONNREFUSED { return ConnectionRefusedError("\(destination)", osError: code) }
        return ConnectError("\(destination): \(SystemCallError("connect", code: code).reason)", osError: code)
    }

    func connectedPeer(_ fd: Int32) -> Address {
        SystemAddress.peer(of: fd).map { Address.ip($0.ipAddress) } ?? destination
    }

    func makeConnection(
        fd: Int32, peer: Address, protocol: Protocol, reactor: Reactor, onClosed: @escaping (Failure) -> Void
    ) -> StreamConnection {
        TCPConnection(fd: fd, peer: peer, protocol: `protocol`, reactor: reactor, onClosed: onClosed)
    }
}
