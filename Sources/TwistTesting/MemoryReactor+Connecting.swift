public import TwistCore

extension MemoryReactor {
    /// Where a connector's latest attempt to a listening port stands before it completes.
    enum AttemptState {
        /// Started by `connectTCP` or `connect()`: completes on the clock's next turn.
        case connecting
        /// `stopConnecting()` or `disconnect()` came first: the attempt fails with `UserError`.
        case stopped
    }

    /// A TCP port opened by `listenTCP` that a `connectTCP` can reach.
    struct TCPListener {
        let port: Int
        let interface: String
        let factory: Factory
        let memoryPort: MemoryPort
    }

    /// One TCP connection made in memory between a `connectTCP` and a `listenTCP` of the reactor.
    ///
    /// The client factory hears `clientConnectionLost` with the same reason as its protocol's
    /// `connectionLost` when the connection closes, so a reconnecting factory reconnects through
    /// ``MemoryConnector/connect()``.
    public final class Connection {
        /// The host the client asked for, as given.
        public let host: String
        /// The port the client asked for.
        public let port: Int
        /// The connector the client factory was handed.
        public let connector: MemoryConnector
        /// The two protocols, joined in memory: pump it (or the reactor's ``MemoryReactor/flush()``)
        /// to move bytes. `pair.client` is the client factory's protocol, `pair.server` the
        /// listening factory's.
        public let pair: ConnectedPair
        /// Reports the client end's loss to the client factory (kept alive here: the client
        /// transport holds it weakly).
        private let clientEnd: ClientEndWatcher

        init(host: String, port: Int, connector: MemoryConnector, pair: ConnectedPair, clientEnd: ClientEndWatcher) {
            self.host = host
            self.port = port
            self.connector = connector
            self.pair = pair
            self.clientEnd = clientEnd
        }

        /// The client factory's protocol.
        public var client: Protocol { pair.client }
        /// The listening factory's protocol.
        public var server: Protocol { pair.server }
        /// True once both ends have heard `connectionLost`.
        public var isClosed: Bool { pair.clientTransport.isDisconnected && pair.serverTransport.isDisconnected }
    }

    /// The connections not yet closed, in the order made.
    public var openConnections: [Connection] { connections.filter { !$0.isClosed } }

    /// Completes the connection attempts that are due (advances the ``clock`` by 0), then moves the
    /// bytes of every open connection both ways, and handles closes, until nothing moves.
    ///
    /// - Throws: an error a protocol's `dataReceived` threw; that connection is closed with it (see
    ///   ``ConnectedPair/pump()``), the others are left as they are until the next flush.
    public func flush() throws {
        var moved = true
        while moved {
            try clock.advance(0)
            moved = false
            for connection in connections where !connection.isClosed {
                if try connection.pair.pump() { moved = true }
            }
        }
    }

    /// The listener a connection to `host`:`port` reaches: one still listening on that port, on
    /// every interface or on exactly `host`.
    func listener(host: String, port: Int) -> TCPListener? {
        tcpListeners.last { listener in
            listener.port == port && !listener.memoryPort.isStopped
                && (Self.allInterfaces.contains(listener.interface) || listener.interface == host)
        }
    }

    /// The interface names that mean "every interface".
    private static let allInterfaces: Set<String> = ["", "0.0.0.0", "::"]

    /// The addresses the two ends of a ``ConnectedPair`` report, handed to `buildProtocol` so each
    /// side sees the address its transport will report.
    static let serverEndAddress = Address.ipv4("127.0.0.1", 8000)
    static let clientEndAddress = Address.ipv4("127.0.0.1", 54321)

    /// Makes the connection on the clock's next turn, as a real reactor completes a connect on a
    /// later loop pass.
    func scheduleConnection(host: String, port: Int, factory: ClientFactory, connector: MemoryConnector) {
        clock.callLater(0) { [self] in
            completeConnection(host: host, port: port, factory: factory, connector: connector)
        }
    }

    /// Accepts the connection on the listening factory, then completes it on the client factory.
    private func completeConnection(host: String, port: Int, factory: ClientFactory, connector: MemoryConnector) {
        if case .stopped = connector.attemptState {
            factory.clientConnectionFailed(connector, reason: Failure(UserError()))
            return
        }
        guard let listener = listener(host: host, port: port) else {
            factory.clientConnectionFailed(connector, reason: Failure(ConnectionRefusedError()))
            return
        }
        guard let server = listener.factory.buildProtocol(address: Self.clientEndAddress) else {
            factory.clientConnectionFailed(
                connector, reason: Failure(ConnectionRefusedError("the listening factory built no protocol"))
            )
            return
        }
        guard let client = factory.buildProtocol(address: Self.serverEndAddress) else {
            factory.clientConnectionFailed(connector, reason: Failure(NoProtocol()))
            return
        }
        let pair = ConnectedPair(server: server, client: client, clock: clock)
        let clientEnd = ClientEndWatcher(client: client, factory: factory, connector: connector)
        clientEnd.makeConnection(pair.clientTransport)
        pair.clientTransport.owner = clientEnd
        let connection = Connection(host: host, port: port, connector: connector, pair: pair, clientEnd: clientEnd)
        connector.connection = connection
        connections.append(connection)
    }
}

extension MemoryReactor {
    /// Stands in for the client protocol as the owner of a ``ConnectedPair``'s client transport, so
    /// that when the pair closes that end, the protocol hears `connectionLost` first and then the
    /// client factory hears `clientConnectionLost` with the same reason, as from a real connector.
    final class ClientEndWatcher: Protocol {
        private let client: Protocol
        private let clientFactory: ClientFactory
        private let connector: MemoryConnector

        init(client: Protocol, factory: ClientFactory, connector: MemoryConnector) {
            self.client = client
            self.clientFactory = factory
            self.connector = connector
            super.init()
        }

        override func connectionLost(reason: Failure) {
            client.deliverConnectionLost(reason: reason)
            clientFactory.clientConnectionLost(connector, reason: reason)
        }
    }
}
