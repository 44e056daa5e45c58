public import TwistCore

/// A transport that records what is written to it and never calls back into its protocol unless
/// asked to (Twisted's `StringTransport`, and with `disconnectsProtocol`, its
/// `StringTransportWithDisconnection`).
///
/// Connect a protocol with ``connect(_:)`` (or `protocol.makeConnection(transport)`), feed it bytes
/// with `protocol.dataReceived`, then read ``value``. ``loseConnection()`` only sets
/// ``isDisconnecting``; ``abortConnection()`` also sets ``isDisconnected``.
public final class StringTransport: Transport {
    /// The transport's own state as a push producer (its reading side).
    public enum ProducerState: Equatable, Sendable {
        /// Reading (the initial state).
        case producing
        /// Paused by ``StringTransport/pauseProducing()``.
        case paused
        /// Stopped for good by ``StringTransport/stopProducing()``.
        case stopped
    }

    /// Everything written since the last ``clear()``.
    public private(set) var value: [UInt8] = []

    /// ``value`` decoded as UTF-8, for readable assertions.
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    /// This end's address: 10.0.0.1:12345 unless given.
    public let host: Address
    /// The other end's address: 192.168.1.1:54321 unless given.
    public let peer: Address

    /// True once ``loseConnection()`` or ``abortConnection()`` was called.
    public private(set) var isDisconnecting = false

    /// True once ``abortConnection()`` was called.
    public private(set) var isDisconnected = false

    /// Whether the transport's reading side is producing, paused or stopped.
    public private(set) var producerState = ProducerState.producing

    /// The producer registered to write to this transport, if any.
    public private(set) var producer: RegisteredProducer?

    private let disconnectsProtocol: Bool
    private weak var connectedProtocol: Protocol?

    /// A transport with Twisted's default fake addresses (host 10.0.0.1:12345, peer
    /// 192.168.1.1:54321) or the ones given.
    ///
    /// - Parameter disconnectsProtocol: when true, ``loseConnection()`` and ``abortConnection()``
    ///   deliver `connectionLost` (``ConnectionDone`` / ``ConnectionAborted``) to the protocol
    ///   connected with ``connect(_:)``, once.
    public init(
        host: Address = .ipv4("10.0.0.1", 12345),
        peer: Address = .ipv4("192.168.1.1", 54321),
        disconnectsProtocol: Bool = false
    ) {
        self.host = host
        self.peer = peer
        self.disconnectsProtocol = disconnectsProtocol
    }

    /// Connects `protocol` to this transport (`makeConnection`) and remembers it, weakly, for
    /// `disconnectsProtocol`.
    public func connect(_ protocol: Protocol) {
        connectedProtocol = `protocol`
        `protocol`.makeConnection(self)
    }

    /// Forgets what was written so far.
    public func clear() {
        value.removeAll()
    }

    /// Appends `data` to ``value``, also after a disconnect (a test can see late writes).
    public func write(_ data: ArraySlice<UInt8>) {
        value.append(contentsOf: data)
    }

    /// Appends each chunk to ``value`` in order.
    public func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { write(chunk) }
    }

    /// Sets ``isDisconnecting``; with `disconnectsProtocol`, delivers ``ConnectionDone`` to the
    /// connected protocol, once. Calling it again does nothing.
    public func loseConnection() {
        guard !isDisconnecting else { return }
        isDisconnecting = true
        if disconnectsProtocol { connectedProtocol?.deliverConnectionLost(reason: Failure(ConnectionDone())) }
    }

    /// Sets ``isDisconnecting`` and ``isDisconnected``; with `disconnectsProtocol`, delivers
    /// ``ConnectionAborted`` to the connected protocol unless it was disconnecting already.
    public func abortConnection() {
        let wasDisconnecting = isDisconnecting
        isDisconnecting = true
        isDisconnected = true
        if disconnectsProtocol, !wasDisconnecting {
            connectedProtocol?.deliverConnectionLost(reason: Failure(ConnectionAborted()))
        }
    }

    /// - Throws: ``ProducerRegistrationError`` if a producer is registered already.
    public func registerProducer(_ producer: RegisteredProducer) throws {
        guard self.producer == nil else {
            throw ProducerRegistrationError("a producer is already registered with this transport")
        }
        self.producer = producer
    }

    /// Forgets the registered producer without stopping it.
    public func unregisterProducer() {
        producer = nil
    }

    /// Pauses the reading side.
    ///
    /// - Precondition: not stopped, and not disconnecting (Twisted raises `RuntimeError`).
    public func pauseProducing() {
        checkProducerCanChange("pause")
        producerState = .paused
    }

    /// Resumes the reading side.
    ///
    /// - Precondition: not stopped, and not disconnecting.
    public func resumeProducing() {
        checkProducerCanChange("resume")
        producerState = .producing
    }

    /// Stops the reading side for good.
    public func stopProducing() {
        producerState = .stopped
    }

    private func checkProducerCanChange(_ action: String) {
        precondition(producerState != .stopped, "cannot \(action) a StringTransport that stopped producing")
        precondition(!isDisconnecting, "cannot \(action) a StringTransport that is disconnecting")
    }
}
