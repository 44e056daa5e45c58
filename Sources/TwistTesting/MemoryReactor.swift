public import TwistCore

/// A reactor that records `listenTCP` and `connectTCP` calls and connects nothing by itself, with
/// a ``TestClock`` for time (Twisted's `MemoryReactorClock`). A test builds the protocol and a
/// `StringTransport` or ``ConnectedPair`` by hand from what was recorded.
public final class MemoryReactor: ReactorTCP, ReactorTime {
    /// One recorded `listenTCP`.
    public struct ListenCall {
        public let port: Int
        public let factory: Factory
        public let backlog: Int
        public let interface: String
    }

    /// One recorded `connectTCP`.
    public struct ConnectCall {
        public let host: String
        public let port: Int
        public let factory: ClientFactory
        public let timeout: Double
        public let bindAddress: IPAddress?
        /// The connector handed to `factory.startedConnecting`.
        public let connector: MemoryConnector
    }

    /// Every `listenTCP` so far, in order.
    public private(set) var listenCalls: [ListenCall] = []
    /// Every `connectTCP` so far, in order.
    public private(set) var connectCalls: [ConnectCall] = []
    /// The reactor's time.
    public let clock = TestClock()

    /// An empty reactor at time 0.
    public init() {}

    public func seconds() -> Double { clock.seconds() }

    @discardableResult
    public func callLater(_ delay: Double, _ body: @escaping () throws -> Void) -> DelayedCall {
        clock.callLater(delay, body)
    }

    public var pendingCalls: [DelayedCall] { clock.pendingCalls }

    /// Records the call and returns a port whose address is 0.0.0.0 (or the interface) and the port asked for.
    public func listenTCP(_ port: Int, _ factory: Factory, backlog: Int = 50, interface: String = "") throws -> any ListeningPort {
        listenCalls.append(ListenCall(port: port, factory: factory, backlog: backlog, interface: interface))
        return MemoryPort(address: .ipv4(interface.isEmpty ? "0.0.0.0" : interface, port))
    }

    /// Records the call, hands a connector to `factory.startedConnecting` at once, and connects nothing.
    @discardableResult
    public func connectTCP(
        _ host: String, _ port: Int, _ factory: ClientFactory, timeout: Double = 30, bindAddress: IPAddress? = nil
    ) -> any Connector {
        let connector = MemoryConnector(destination: .ipv4(host, port))
        connectCalls.append(ConnectCall(
            host: host, port: port, factory: factory, timeout: timeout, bindAddress: bindAddress, connector: connector
        ))
        factory.startedConnecting(connector)
        return connector
    }
}

/// The port ``MemoryReactor/listenTCP(_:_:backlog:interface:)`` returns.
public final class MemoryPort: ListeningPort {
    public let address: IPAddress
    /// True once ``stopListening()`` was called.
    public private(set) var isStopped = false

    init(address: IPAddress) { self.address = address }

    @discardableResult
    public func stopListening() -> Deferred<Void> {
        isStopped = true
        return succeed(())
    }
}

/// The connector ``MemoryReactor/connectTCP(_:_:_:timeout:bindAddress:)`` returns: it records what
/// is asked of it.
public final class MemoryConnector: Connector {
    public let destination: IPAddress
    /// How many times ``connect()`` was called (a reconnect, say).
    public private(set) var connectCount = 0
    /// True once ``stopConnecting()`` or ``disconnect()`` was called.
    public private(set) var wasStopped = false

    init(destination: IPAddress) { self.destination = destination }

    public func stopConnecting() throws { wasStopped = true }
    public func disconnect() { wasStopped = true }
    public func connect() { connectCount += 1 }
}
