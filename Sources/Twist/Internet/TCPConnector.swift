import Glibc
import TwistCore

/// A client connection attempt and, once made, its connection (Twisted's `tcp.Connector`).
///
/// `connect()` resolves the host (numeric at once; a name with `getaddrinfo` on a thread of its
/// own, so the loop never blocks), connects without blocking, and builds the protocol with the
/// factory when the socket is up. Every failure — refused, timed out, unresolvable, bind failed,
/// stopped, refused by the factory — reaches ``ClientFactory/clientConnectionFailed(_:reason:)``;
/// the end of an established connection reaches ``ClientFactory/clientConnectionLost(_:reason:)``
/// after the protocol's `connectionLost`. The factory is started when an attempt begins and
/// stopped when it is over, unless the factory connects again from its notification.
final class TCPConnector: IOHandler, Connector {
    private enum State {
        case disconnected
        case connecting
        case connected
    }

    let destination: Address
    private let host: String
    private let port: Int
    private let factory: ClientFactory
    private let timeout: Double
    private let bindAddress: IPAddress?
    private unowned let loop: ReactorLoop
    private let reactor: Reactor
    private var state = State.disconnected
    /// Counts attempts, so a late name resolution for an abandoned attempt is ignored.
    private var attempt = 0
    private var fd: Int32 = -1
    private var watchers: IOWatchers?
    private var timeoutCall: DelayedCall?
    private var connection: TCPConnection?

    init(host: String, port: Int, factory: ClientFactory, timeout: Double, bindAddress: IPAddress?, reactor: Reactor) {
        self.host = host
        self.port = port
        self.destination = .destination(host: host, port: port)
        self.factory = factory
        self.timeout = timeout
        self.bindAddress = bindAddress
        self.reactor = reactor
        self.loop = reactor.core
    }

    func connect() {
        precondition(state == .disconnected, "Connector.connect(): cannot connect in the current state")
        state = .connecting
        attempt += 1
        loop.register(self)
        factory.doStart()
        factory.startedConnecting(self)
        guard state == .connecting else { return }  // stopped from startedConnecting
        if timeout > 0 {
            timeoutCall = reactor.callLater(timeout) { [self] in fail(ConnectTimeoutError()) }
        }
        if let address = SystemAddress(numericHost: host, port: port) {
            open(to: address)
        } else {
            resolveThenOpen(attempt: attempt)
        }
    }

    /// Resolves the host name on a thread of its own and continues on the reactor thread.
    private func resolveThenOpen(attempt: Int) {
        let host = host
        let port = port
        let reactor = self.reactor
        let connector = UncheckedTransfer(self)
        DetachedThread.start {
            let resolved = Self.resolve(host, port)
            reactor.callFromThread {
                let connector = connector.value
                guard connector.state == .connecting, connector.attempt == attempt else { return }
                switch resolved {
                case .success(let address): connector.open(to: address.value)
                case .failure(let error): connector.fail(error)
                }
            }
        }
    }

    private static func resolve(_ host: String, _ port: Int) -> Result<UncheckedTransfer<SystemAddress>, DNSLookupError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        defer { if let results { freeaddrinfo(results) } }
        guard status == 0, let first = results, let address = first.pointee.ai_addr else {
            return .failure(DNSLookupError("\(host): \(String(cString: gai_strerror(status)))"))
        }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen)))
        }
        return .success(UncheckedTransfer(SystemAddress(storage: storage, length: first.pointee.ai_addrlen)))
    }

    /// Opens the socket, binds it if asked, and starts the non-blocking connect.
    private func open(to address: SystemAddress) {
        switch Sockets.makeStreamSocket(family: address.family) {
        case .success(let made): fd = made
        case .failure(let error):
            fail(ConnectError(error.reason, osError: error.code))
            return
        }
        let watchers = IOWatchers(fd: fd, handler: self, loop: loop.loop)
        self.watchers = watchers
        if let bindAddress {
            guard let local = SystemAddress(numericHost: bindAddress.host, port: bindAddress.port),
                  local.withSockAddr({ bind(fd, $0, $1) }) == 0
            else {
                let error = SystemCallError("bind")
                fail(ConnectBindError("\(bindAddress): \(error.reason)", osError: error.code))
                return
            }
        }
        let result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        if result == 0 || errno == EINPROGRESS {
            watchers.startWriting()  // writable = the connect finished, one way or the other
        } else {
            failWithConnectError(errno)
        }
    }

    /// The non-blocking connect finished.
    override func handleWritable() {
        watchers?.stopWriting()
        let code = Sockets.pendingError(fd)
        guard code == 0 else {
            failWithConnectError(code)
            return
        }
        let peer = SystemAddress.peer(of: fd).map { Address.ip($0.ipAddress) } ?? destination
        guard let built = factory.buildProtocol(address: peer) else {
            fail(NoProtocol())
            return
        }
        cancelTimeout()
        watchers = nil
        loop.unregister(self)
        state = .connected
        let connected = TCPConnection(fd: fd, peer: peer, protocol: built, reactor: reactor) { [self] reason in
            connectionLost(reason)
        }
        fd = -1
        connection = connected
        connected.start()
    }

    private func failWithConnectError(_ code: Int32) {
        let reason = SystemCallError("connect", code: code).reason
        if code == ECONNREFUSED {
            fail(ConnectionRefusedError("\(destination)", osError: code))
        } else {
            fail(ConnectError("\(destination): \(reason)", osError: code))
        }
    }

    /// Ends the attempt: closes what was opened and tells the factory.
    private func fail(_ reason: NetworkError) {
        guard state == .connecting else { return }
        cancelTimeout()
        watchers?.stop()
        watchers = nil
        if fd >= 0 {
            Sockets.close(fd)
            fd = -1
        }
        loop.unregister(self)
        state = .disconnected
        factory.clientConnectionFailed(self, reason: Failure(reason))
        if state == .disconnected { factory.doStop() }
    }

    private func connectionLost(_ reason: Failure) {
        connection = nil
        state = .disconnected
        factory.clientConnectionLost(self, reason: reason)
        if state == .disconnected { factory.doStop() }
    }

    private func cancelTimeout() {
        if let timeoutCall, timeoutCall.isActive { try? timeoutCall.cancel() }
        timeoutCall = nil
    }

    func stopConnecting() throws {
        guard state == .connecting else { throw NotConnectingError() }
        fail(UserError())
    }

    func disconnect() {
        switch state {
        case .connecting: fail(UserError())
        case .connected: connection?.loseConnection()
        case .disconnected: break
        }
    }

    override func closeForShutdown() {
        fail(UserError("the reactor is shutting down"))
    }
}
