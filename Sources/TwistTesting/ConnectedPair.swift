public import TwistCore

/// One end of an in-memory connection made by ``ConnectedPair``: writes are buffered until the
/// pair is pumped.
public final class PairedTransport: Transport {
    /// This end's address: 127.0.0.1:8000 for the server end, 127.0.0.1:54321 for the client end.
    public let host: Address
    /// The other end's address.
    public let peer: Address
    /// True once ``loseConnection()`` or ``abortConnection()`` was called, or this end was closed.
    public private(set) var isDisconnecting = false
    /// True once the connection is gone for this end.
    public private(set) var isDisconnected = false
    /// True while this end's reading side is paused.
    public private(set) var isPaused = false

    var outgoing: [UInt8] = []
    var aborted = false
    weak var owner: Protocol?
    /// The producer registered with this end, if any.
    public private(set) var producer: RegisteredProducer?

    init(host: Address, peer: Address) {
        self.host = host
        self.peer = peer
    }

    /// Buffers `data` for the next ``ConnectedPair/pump()``; ignored once disconnecting.
    public func write(_ data: ArraySlice<UInt8>) {
        guard !isDisconnecting else { return }
        outgoing.append(contentsOf: data)
    }

    /// Removes and returns what this end wrote that the pair has not delivered yet: for a test
    /// that tampers with bytes in flight (cuts a record short, flips a bit) and delivers them
    /// itself.
    public func takeUnsent() -> [UInt8] {
        defer { outgoing.removeAll() }
        return outgoing
    }

    /// Buffers each chunk in order, as ``write(_:)`` does.
    public func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { write(chunk) }
    }

    /// Marks this end disconnecting; the pair closes both ends (``ConnectionDone``) on a later pump,
    /// once this end's buffered bytes are delivered and no producer is registered.
    public func loseConnection() {
        isDisconnecting = true
    }

    /// Marks this end disconnecting and discards what it buffered; the next pump closes it with
    /// ``ConnectionAborted`` and the other end with ``ConnectionLost``. Calling it again does nothing.
    public func abortConnection() {
        guard !aborted else { return }
        isDisconnecting = true
        aborted = true
        outgoing.removeAll()
    }

    /// Registers `producer`; a pull producer is asked for data at once and again each time a pump
    /// delivers this end's bytes. The pair stops it when this end closes.
    ///
    /// - Throws: ``ProducerRegistrationError`` if a producer is registered already.
    public func registerProducer(_ producer: RegisteredProducer) throws {
        guard self.producer == nil else {
            throw ProducerRegistrationError("a producer is already registered with this transport")
        }
        self.producer = producer
        if case .pull(let pulled) = producer { pulled.resumeProducing() }
    }

    /// Forgets the registered producer without stopping it.
    public func unregisterProducer() {
        producer = nil
    }

    /// Pauses this end's reading: pumps deliver nothing to it until ``resumeProducing()``.
    public func pauseProducing() { isPaused = true }
    /// Resumes this end's reading.
    public func resumeProducing() { isPaused = false }
    /// Closes this end as ``loseConnection()`` does: a consumer that wants no more input ends the
    /// in-memory connection.
    public func stopProducing() { loseConnection() }

    func markDisconnected() {
        isDisconnecting = true
        isDisconnected = true
        producer?.producer.stopProducing()
        producer = nil
    }
}

/// A client and a server protocol connected in memory, moving bytes only when pumped (Twisted's
/// `iosim.connectedServerAndClient`).
///
/// ``flush()`` delivers everything written, both ways, until nothing moves; a pending
/// `loseConnection` then closes both ends (``ConnectionDone``), an `abortConnection` closes them
/// at once (``ConnectionAborted`` on the aborting end, ``ConnectionLost`` on the other). With a
/// ``TestClock``, each round also advances it by 0 so due calls run.
public final class ConnectedPair {
    /// The client end's protocol and transport.
    public let client: Protocol
    /// The client end's transport, to inspect or to write through by hand.
    public let clientTransport: PairedTransport
    /// The server end's protocol and transport.
    public let server: Protocol
    /// The server end's transport.
    public let serverTransport: PairedTransport
    private let clock: TestClock?

    /// Connects `server` and `client` (server first, as a port would accept before the client
    /// hears it is connected) and calls their `connectionMade`.
    public init(server: Protocol, client: Protocol, clock: TestClock? = nil) {
        let serverAddress = Address.ipv4("127.0.0.1", 8000)
        let clientAddress = Address.ipv4("127.0.0.1", 54321)
        self.server = server
        self.client = client
        self.clock = clock
        serverTransport = PairedTransport(host: serverAddress, peer: clientAddress)
        clientTransport = PairedTransport(host: clientAddress, peer: serverAddress)
        serverTransport.owner = server
        clientTransport.owner = client
        server.makeConnection(serverTransport)
        client.makeConnection(clientTransport)
    }

    /// One round: delivers what each end wrote to the other and handles closes.
    ///
    /// - Returns: whether anything happened.
    /// - Throws: an error a protocol's `dataReceived` threw (its connection is then lost with it).
    @discardableResult
    public func pump() throws -> Bool {
        var moved = false
        moved = try deliver(from: clientTransport, to: serverTransport, receiver: server) || moved
        moved = try deliver(from: serverTransport, to: clientTransport, receiver: client) || moved
        moved = closeIfAsked() || moved
        try clock?.advance(0)
        return moved
    }

    /// Pumps until nothing moves.
    public func flush() throws {
        while try pump() {}
    }

    private func deliver(from sender: PairedTransport, to target: PairedTransport, receiver: Protocol) throws -> Bool {
        guard !sender.outgoing.isEmpty, !target.isDisconnected, !target.isPaused else { return false }
        let bytes = sender.outgoing
        sender.outgoing.removeAll()
        do {
            try receiver.dataReceived(bytes[...])
        } catch {
            close(target, reason: Failure(error), peerReason: Failure(ConnectionLost()))
            throw error
        }
        if case .pull(let pulled)? = sender.producer, sender.outgoing.isEmpty { pulled.resumeProducing() }
        return true
    }

    private func closeIfAsked() -> Bool {
        for (end, other) in [(clientTransport, serverTransport), (serverTransport, clientTransport)] where !end.isDisconnected {
            if end.aborted {
                close(end, reason: Failure(ConnectionAborted()), peerReason: Failure(ConnectionLost()))
                return true
            }
            if end.isDisconnecting, end.outgoing.isEmpty, end.producer == nil, !other.isDisconnected {
                close(end, reason: Failure(ConnectionDone()), peerReason: Failure(ConnectionDone()))
                return true
            }
        }
        return false
    }

    private func close(_ end: PairedTransport, reason: Failure, peerReason: Failure) {
        let other = end === clientTransport ? serverTransport : clientTransport
        for (transport, why) in [(end, reason), (other, peerReason)] where !transport.isDisconnected {
            transport.markDisconnected()
            transport.owner?.deliverConnectionLost(reason: why)
        }
    }
}
