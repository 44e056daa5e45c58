import Glibc
import TwistCore

/// A client connection attempt and, once made, its connection — over TCP or a UNIX socket, as its
/// ``StreamConnectorKind`` says (Twisted's `tcp.Connector` and `unix.Connector`, as one engine).
///
/// `connect()` asks the kind for the address (TCP may resolve a name off the loop), opens a
/// non-blocking socket, connects, and builds the protocol with the factory when the socket is up.
/// Every failure — refused, timed out, unresolvable, bind failed, stopped, refused by the factory
/// — reaches ``ClientFactory/clientConnectionFailed(_:reason:)``, never from inside the call that
/// started the attempt (a failure found there is reported on the next loop pass); the end of an
/// established connection reaches ``ClientFactory/clientConnectionLost(_:reason:)`` after the
/// protocol's `connectionLost`. The factory is started when an attempt begins and stopped when it
/// is over, unless the factory connects again from its notification.
final class StreamConnector<Kind: StreamConnectorKind>: IOHandler, Connector {
    private enum State {
        case disconnected
        case connecting
        case connected
    }

    private let kind: Kind
    private let factory: ClientFactory
    private let timeout: Double
    private unowned let loop: ReactorLoop
    private let reactor: Reactor
    private var state = State.disconnected
    /// Counts attempts, so a late answer for an abandoned attempt is ignored.
    private var attempt = 0
    /// True while ``connect()`` runs: a failure found then is reported on the next loop pass.
    private var isInsideConnect = false
    private var fd: Int32 = -1
    private var watchers: IOWatchers?
    private var timeoutCall: DelayedCall?
    private var connection: StreamConnection?

    /// A connector for `kind`'s destination; nothing happens until ``connect()``.
    init(kind: Kind, factory: ClientFactory, timeout: Double, reactor: Reactor) {
        self.kind = kind
        self.factory = factory
        self.timeout = timeout
        self.reactor = reactor
        self.loop = reactor.core
    }

    var destination: Address { kind.destination }

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
        let current = attempt
        isInsideConnect = true
        defer { isInsideConnect = false }
        kind.resolve(on: reactor) { [self] resolved in
            guard state == .connecting, attempt == current else { return }
            switch resolved {
            case .success(let address): open(to: address)
            case .failure(let error): fail(error)
            }
        }
    }

    /// Opens the socket, lets the kind ready it, and starts the non-blocking connect.
    private func open(to address: SystemAddress) {
        switch Sockets.makeStreamSocket(family: address.family) {
        case .success(let made): fd = made
        case .failure(let error):
            fail(ConnectError(error.reason, osError: error.code))
            return
        }
        let watchers = IOWatchers(fd: fd, handler: self, loop: loop.loop)
        self.watchers = watchers
        if let error = kind.prepare(fd) {
            fail(error)
            return
        }
        let result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        if result == 0 || errno == EINPROGRESS {
            watchers.startWriting()  // writable = the connect finished, one way or the other
        } else {
            fail(kind.connectFailure(errno))
        }
    }

    /// The non-blocking connect finished.
    override func handleWritable() {
        watchers?.stopWriting()
        let code = Sockets.pendingError(fd)
        guard code == 0 else {
            fail(kind.connectFailure(code))
            return
        }
        let peer = kind.connectedPeer(fd)
        guard let built = factory.buildProtocol(address: peer) else {
            fail(NoProtocol())
            return
        }
        cancelTimeout()
        watchers = nil
        loop.unregister(self)
        state = .connected
        let connected = kind.makeConnection(fd: fd, peer: peer, protocol: built, reactor: reactor) { [self] reason in
            connectionLost(reason)
        }
        fd = -1
        connection = connected
        connected.start()
    }

    /// Ends the attempt: closes what was opened and tells the factory — on the next loop pass
    /// when called from inside ``connect()``, so the caller never hears of it re-entrantly.
    private func fail(_ reason: NetworkError) {
        guard state == .connecting else { return }
        if isInsideConnect {
            let current = attempt
            reactor.callLater(0) { [self] in
                guard attempt == current else { return }
                fail(reason)
            }
            return
        }
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
