public import TwistCore

/// A reactor that records `listenTCP`, `connectTCP`, `listenUNIX`, `connectUNIX`,
/// `adoptStreamPort`, `adoptDatagramPort`, `listenUDP`, `listenMulticast`, `listenUNIXDatagram`
/// and `connectUNIXDatagram` calls, with a ``TestClock`` for time
/// (Twisted's `MemoryReactorClock`), and connects a TCP client to a TCP server in memory.
///
/// **Connecting.** A `connectTCP` to a port that a `listenTCP` on this reactor is listening on (on
/// every interface, or on the host asked for) is completed on the ``clock``'s next turn — after
/// `clock.advance(0)` or ``flush()`` — never inside the call, as a real reactor does: both
/// factories build their protocols and a ``ConnectedPair`` joins them; see
/// ``connections``. Bytes move only when the test pumps: ``flush()`` for every connection, or the
/// pair's own `pump()`/`flush()`. A `connectTCP` to a port nobody listens on is only recorded and
/// connects nothing, as before (build a `StringTransport` or ``ConnectedPair`` by hand from it).
///
/// A datagram protocol (UDP, UNIX datagram, adopted) is attached to a ``FakeDatagramTransport`` at once.
public final class MemoryReactor: ReactorTCP, ReactorUNIX, ReactorTime {
    /// One recorded `listenTCP`.
    public struct ListenCall {
        /// The port asked for (0 is kept as 0: nothing picks a free port).
        public let port: Int
        /// The factory the port would build protocols with.
        public let factory: Factory
        /// The backlog asked for.
        public let backlog: Int
        /// The interface asked for ("" for all).
        public let interface: String
    }

    /// One recorded `connectTCP`.
    public struct ConnectCall {
        /// The host asked for, exactly as given (nothing resolves it).
        public let host: String
        /// The port asked for.
        public let port: Int
        /// The factory the connection would be handed to; it has heard `startedConnecting` already.
        public let factory: ClientFactory
        /// The connect timeout asked for, in seconds (nothing enforces it).
        public let timeout: Double
        /// The local address asked for, if any.
        public let bindAddress: IPAddress?
        /// The connector handed to `factory.startedConnecting`.
        public let connector: MemoryConnector
    }

    /// One recorded `listenUNIX` (Twisted's `unixServers` entry).
    public struct UNIXListenCall {
        /// The socket name asked for, as given.
        public let path: String
        /// The factory the port would build protocols with.
        public let factory: Factory
        /// The backlog asked for.
        public let backlog: Int
        /// The file mode asked for.
        public let mode: Int
        /// Whether a lock file was asked for.
        public let wantPID: Bool
    }

    /// One recorded `connectUNIX` (Twisted's `unixClients` entry).
    public struct UNIXConnectCall {
        /// The socket name asked for, as given.
        public let path: String
        /// The factory the connection would be handed to; it has heard `startedConnecting` already.
        public let factory: ClientFactory
        /// The connect timeout asked for, in seconds (nothing enforces it).
        public let timeout: Double
        /// Whether a live lock file was required.
        public let checkPID: Bool
        /// The connector handed to `factory.startedConnecting`.
        public let connector: MemoryConnector
    }

    /// Every `listenUNIX` so far, in order.
    public private(set) var unixListenCalls: [UNIXListenCall] = []
    /// Every `connectUNIX` so far, in order.
    public private(set) var unixConnectCalls: [UNIXConnectCall] = []
    /// Every `listenTCP` so far, in order.
    public private(set) var listenCalls: [ListenCall] = []
    /// Every `connectTCP` so far, in order.
    public private(set) var connectCalls: [ConnectCall] = []
    /// Every `listenUDP` and `listenMulticast` so far, in order (Twisted's `udpPorts`).
    public internal(set) var udpListenCalls: [UDPListenCall] = []
    /// Every `listenUNIXDatagram` so far, in order.
    public internal(set) var unixDatagramListenCalls: [UNIXDatagramCall] = []
    /// Every `connectUNIXDatagram` so far, in order.
    public internal(set) var unixDatagramConnectCalls: [UNIXDatagramCall] = []
    /// Every `adoptDatagramPort` so far, in order.
    public internal(set) var adoptedDatagramPorts: [AdoptDatagramCall] = []
    /// Every `adoptStreamPort` so far, in order (Twisted's `adoptedPorts`).
    public internal(set) var adoptedPorts: [AdoptCall] = []
    /// Every `adoptStreamConnection` so far, in order (Twisted's `adoptedStreamConnections`).
    public internal(set) var adoptedStreamConnections: [AdoptCall] = []
    /// The reactor's time.
    public let clock = TestClock()
    /// The TCP ports connections can reach, in the order they were opened.
    var tcpListeners: [TCPListener] = []
    /// Every connection made in memory so far, open or closed, in the order made.
    public internal(set) var connections: [Connection] = []

    /// An empty reactor at time 0.
    public init() {}

    /// The ``clock``'s time.
    public func seconds() -> Double { clock.seconds() }

    /// Schedules `body` on the ``clock``; it runs when a test advances the clock to its due time.
    @discardableResult
    public func callLater(_ delay: Double, _ body: @escaping () throws -> Void) -> DelayedCall {
        clock.callLater(delay, body)
    }

    /// The ``clock``'s pending calls, earliest first.
    public var pendingCalls: [DelayedCall] { clock.pendingCalls }

    /// Records the call and returns a port whose address is 0.0.0.0 (or the interface) and the port
    /// asked for; until it stops listening, a `connectTCP` to that port connects to `factory`.
    public func listenTCP(_ port: Int, _ factory: Factory, backlog: Int = 50, interface: String = "") throws -> any ListeningPort {
        listenCalls.append(ListenCall(port: port, factory: factory, backlog: backlog, interface: interface))
        let listening = MemoryPort(address: .ipv4(interface.isEmpty ? "0.0.0.0" : interface, port))
        tcpListeners.append(TCPListener(port: port, interface: interface, factory: factory, memoryPort: listening))
        return listening
    }

    /// Records the call and hands a connector to `factory.startedConnecting` at once. When a
    /// `listenTCP` port of this reactor listens on `port` (and `host`), the connection is made on the
    /// clock's next turn (see ``connections``); otherwise nothing connects.
    @discardableResult
    public func connectTCP(
        _ host: String, _ port: Int, _ factory: ClientFactory, timeout: Double = 30, bindAddress: IPAddress? = nil
    ) -> any Connector {
        let connector = MemoryConnector(destination: .destination(host: host, port: port))
        connectCalls.append(ConnectCall(
            host: host, port: port, factory: factory, timeout: timeout, bindAddress: bindAddress, connector: connector
        ))
        factory.startedConnecting(connector)
        if listener(host: host, port: port) != nil {
            connector.attempt = { [weak self, unowned connector] in
                self?.scheduleConnection(host: host, port: port, factory: factory, connector: connector)
            }
            connector.attempt?()
        }
        return connector
    }
}

extension MemoryReactor {
    /// Records the call and returns a port whose address is the name asked for.
    public func listenUNIX(
        _ path: String, _ factory: Factory, backlog: Int = 50, mode: Int = 0o666, wantPID: Bool = false
    ) throws -> any ListeningPort {
        unixListenCalls.append(UNIXListenCall(path: path, factory: factory, backlog: backlog, mode: mode, wantPID: wantPID))
        return MemoryPort(address: .unix(UNIXAddress(path)))
    }

    /// Records the call, hands a connector to `factory.startedConnecting` at once, and connects nothing.
    @discardableResult
    public func connectUNIX(
        _ path: String, _ factory: ClientFactory, timeout: Double = 30, checkPID: Bool = false
    ) -> any Connector {
        let connector = MemoryConnector(destination: .unix(UNIXAddress(path)))
        unixConnectCalls.append(UNIXConnectCall(
            path: path, factory: factory, timeout: timeout, checkPID: checkPID, connector: connector
        ))
        factory.startedConnecting(connector)
        return connector
    }
}

/// The port ``MemoryReactor/listenTCP(_:_:backlog:interface:)`` returns.
public final class MemoryPort: ListeningPort {
    /// The address given when the port was recorded: the interface (0.0.0.0 for all) and the port
    /// asked for.
    public let address: Address
    /// True once ``stopListening()`` was called.
    public private(set) var isStopped = false

    init(address: Address) { self.address = address }

    /// Marks the port stopped; the result has already fired.
    @discardableResult
    public func stopListening() -> Deferred<Void> {
        isStopped = true
        return succeed(())
    }
}

/// The connector ``MemoryReactor/connectTCP(_:_:_:timeout:bindAddress:)`` returns: it records what
/// is asked of it.
public final class MemoryConnector: Connector {
    /// Where the connector was aimed: an IP address when the host is numeric, otherwise the
    /// name; the UNIX name for `connectUNIX`.
    public let destination: Address
    /// How many times ``connect()`` was called (a reconnect, say).
    public private(set) var connectCount = 0
    /// True once ``stopConnecting()`` or ``disconnect()`` was called.
    public private(set) var wasStopped = false
    /// Starts a connection attempt to a listening port of the reactor; nil when the destination
    /// had no listener (nothing ever connects then).
    var attempt: (() -> Void)?
    /// Whether the latest attempt to a listening port was stopped before it completed.
    var attemptState = MemoryReactor.AttemptState.connecting
    /// The connection an attempt made, while it is open.
    weak var connection: MemoryReactor.Connection?

    init(destination: Address) { self.destination = destination }

    /// Records the stop in ``wasStopped``; never throws. An attempt to a listening port that has
    /// not completed yet then fails with `UserError` instead of connecting.
    public func stopConnecting() throws {
        wasStopped = true
        attemptState = .stopped
    }
    /// Records the disconnect in ``wasStopped``; an attempt not yet completed fails with
    /// `UserError`, and an open in-memory connection closes cleanly (its client transport's
    /// `loseConnection()`, delivered on the next pump).
    public func disconnect() {
        wasStopped = true
        attemptState = .stopped
        connection?.pair.clientTransport.loseConnection()
    }
    /// Counts the attempt in ``connectCount``; when the destination has a listener on the reactor,
    /// connects again on the clock's next turn (a reconnecting factory's retry), otherwise nothing
    /// connects.
    public func connect() {
        connectCount += 1
        attemptState = .connecting
        attempt?()
    }
}
