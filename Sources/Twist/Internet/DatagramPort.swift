import CTwistShims
import Glibc
import Logging
import TwistCore

/// A bound datagram socket and the ``DatagramProtocol`` it serves: the one datagram engine, for
/// UDP (Twisted's `udp.Port`; multicast ports are the ``UDPPort`` subclass) and for UNIX datagram
/// sockets (Twisted's `unix.DatagramPort` and `ConnectedDatagramPort`), told apart by a small
/// ``DatagramSocketKind``. The port is the protocol's transport.
///
/// Reads are batched: each wake-up takes datagrams with `recvmmsg` into slots of
/// `maxPacketSize` bytes in the reactor's receive buffer, and hands each to the protocol as a
/// view of its slot, until the socket is drained or a budget (``readBudgetBytes``,
/// ``readBudgetDatagrams``) is spent, so one busy port cannot starve the loop. A write made outside
/// a read batch is one `sendto`, never queued (see ``DatagramTransport``); writes made while a
/// batch is delivered are gathered and sent with one `sendmmsg` once it has been (``DatagramSendMode``).
///
/// An error readiness on the socket (a pending ICMP error) is read like readability: the
/// receive returns `ECONNREFUSED`, a connected port calls `connectionRefused()` and keeps serving
/// (Twisted's epoll reactor closes the port instead).
///
/// Closing closes the socket only: a UNIX datagram socket's file stays (as in Twisted; unlike a
/// UNIX stream port, which removes its file).
class DatagramPort: IOHandler, DatagramTransport {
    /// The most payload bytes one wake-up delivers before yielding to the loop (Twisted's 256 KiB).
    static let readBudgetBytes = 256 * 1024
    /// The most datagrams one wake-up delivers before yielding to the loop.
    static let readBudgetDatagrams = 1024
    /// The most datagrams one `recvmmsg` takes, and one `sendmmsg` sends.
    static let batchCapacity = 64
    /// The payload bytes the send batch holds: any one UDP datagram fits an empty batch.
    static let sendBatchBytes = 65_536

    let address: Address
    let maxPacketSize: Int
    let fd: Int32
    /// UDP over IPv4 or IPv6, or UNIX.
    let kind: DatagramSocketKind
    private(set) var state: DatagramPortState
    /// The protocol, until the port has closed (then let go, so neither keeps the other).
    private(set) var receiver: DatagramProtocol?
    let reactor: Reactor
    unowned let loop: ReactorLoop
    private var watchers: IOWatchers?
    /// The `recvmmsg` headers, made once.
    let batch: OpaquePointer
    /// The `sendmmsg` headers and the copies of the datagrams gathered for them, made once.
    let sendBatch: OpaquePointer
    /// Whether writes go out at once or are gathered for the end of the read batch.
    var sendMode = DatagramSendMode.immediate
    /// Datagrams written during a read batch that the kernel refused when the batch was sent
    /// (each refusal is also logged); writes outside a batch throw instead.
    var droppedDatagrams = 0
    /// A receive buffer of the port's own, only when `maxPacketSize` exceeds the reactor's.
    var ownBuffer: [UInt8]?
    /// Deferreds of `stopListening` calls waiting for the close.
    private var stopWaiters: [Deferred<Void>] = []
    /// The last sender seen, raw and converted: a burst from one peer converts its address once.
    var lastSender: (storage: sockaddr_storage, length: socklen_t, address: Address)?
    var lastErrorLog = -Double.infinity
    /// The most datagrams one wake-up delivers (``readBudgetDatagrams``; tests lower it).
    var datagramsPerWakeUp = DatagramPort.readBudgetDatagrams
    /// The send system call: `sendto(2)`. Tests replace it to make the kernel's answers that
    /// loopback never gives (a full send buffer: a UDP socket's buffer on `lo` is freed as soon
    /// as the datagram is handed over, so `EAGAIN` cannot be provoked there).
    var sendCall: (Int32, UnsafeRawPointer?, Int, Int32, UnsafePointer<sockaddr>?, socklen_t) -> Int = Glibc.sendto
    /// The batched send: `sendmmsg(2)` of up to `limit` gathered datagrams from index `first`
    /// (``twist_datagram_send_batch_send``). Tests replace it to make partial sends and `EAGAIN`.
    var sendBatchCall: (_ batch: OpaquePointer, _ fd: Int32, _ first: Int32, _ limit: Int32) -> Int32 =
        twist_datagram_send_batch_send

    /// Throws unless `maxPacketSize` is one a port of `kind` takes (1–65,535 for UDP, up to 1 MiB
    /// for UNIX). Checked before a socket is made, so a bad size leaves nothing behind.
    ///
    /// - Throws: ``InvalidAddressError``.
    static func check(maxPacketSize: Int, for kind: DatagramSocketKind) throws {
        guard (1...kind.largestPacketSize).contains(maxPacketSize) else {
            throw InvalidAddressError("maxPacketSize must be 1...\(kind.largestPacketSize), not \(maxPacketSize)")
        }
    }

    /// Throws unless `protocol` is free to serve a new port (one instance serves one live port).
    ///
    /// - Throws: ``DatagramStateError`` naming the port it serves.
    static func requireUnattached(_ protocol: DatagramProtocol) throws {
        if let transport = `protocol`.transport {
            throw DatagramStateError("\(`protocol`.logPrefix) is already listening on \(transport.address)")
        }
    }

    /// Takes over `socket` (the port closes it from now on); the port neither reads nor has told
    /// the protocol anything yet (``start(_:)`` does that). A socket whose descriptor is -1 makes
    /// a port that is closed from the start (a connect that failed).
    ///
    /// - Throws: ``CannotListenError`` when the port's batches cannot be allocated (the socket
    ///   is closed).
    init(_ socket: DatagramSocket, maxPacketSize: Int, reactor: Reactor) throws {
        guard let batch = twist_datagram_batch_create(Int32(Self.batchCapacity)) else {
            if socket.fd >= 0 { Sockets.close(socket.fd) }
            throw Self.cannotListen(socket.address, "out of memory")
        }
        guard let sendBatch = twist_datagram_send_batch_create(Int32(Self.batchCapacity), Self.sendBatchBytes) else {
            twist_datagram_batch_destroy(batch)
            if socket.fd >= 0 { Sockets.close(socket.fd) }
            throw Self.cannotListen(socket.address, "out of memory")
        }
        self.fd = socket.fd
        self.kind = socket.kind
        self.batch = batch
        self.sendBatch = sendBatch
        self.address = socket.address
        self.maxPacketSize = maxPacketSize
        self.reactor = reactor
        self.loop = reactor.core
        self.state = socket.fd >= 0 ? .serving(peer: socket.peer) : .closed
        if socket.fd >= 0, maxPacketSize > IOResources.receiveBufferSize {
            ownBuffer = [UInt8](repeating: 0, count: maxPacketSize)
        }
        super.init()
        if socket.fd >= 0 { watchers = IOWatchers(fd: socket.fd, handler: self, loop: loop.loop) }
    }

    /// The error for a port at `address` that could not be made.
    private static func cannotListen(_ address: Address, _ detail: String) -> CannotListenError {
        if case .unix(let name) = address { return CannotListenError(unix: name, detail) }
        return CannotListenError(interface: address.ip?.host ?? "", port: address.port ?? 0, detail)
    }

    deinit {
        twist_datagram_batch_destroy(batch)
        twist_datagram_send_batch_destroy(sendBatch)
    }

    /// Attaches `receiver` (its `startProtocol` runs now, and may write or even stop the port),
    /// then starts reading. On failure the socket is closed and nothing stays registered.
    ///
    /// - Throws: ``DatagramStateError`` when `receiver` serves another port.
    func start(_ receiver: DatagramProtocol) throws {
        loop.register(self)
        self.receiver = receiver
        loop.logger.debug("\(receiver.logPrefix) starting on \(kind.logDescription(of: address))")
        do {
            try receiver.makeConnection(self)
        } catch {
            self.receiver = nil
            state = .closed
            watchers?.stop()
            Sockets.close(fd)
            loop.unregister(self)
            throw error
        }
        if state.isServing { watchers?.startReading() }
    }

    var connectedAddress: Address? { state.peer }

    var isBroadcastAllowed: Bool { Sockets.option(fd, SOL_SOCKET, SO_BROADCAST) != 0 }

    func setBroadcastAllowed(_ allowed: Bool) {
        guard state.isServing else { return }
        Sockets.setOption(fd, SOL_SOCKET, SO_BROADCAST, allowed ? 1 : 0)
    }

    /// The `AF_` constant of the socket.
    var family: Int32 { kind.family }

    /// Connects a UDP port to `host`:`port`. A UNIX datagram port is connected when it is made
    /// (`connectUNIXDatagram`), never by this call.
    func connect(host: String, port: Int) throws {
        guard case .serving(let peer) = state else { throw DatagramStateError("the port is not listening") }
        if let peer { throw DatagramStateError("already connected to \(peer); datagram ports connect once") }
        guard case .udp = kind else {
            throw InvalidAddressError("\(host):\(port): a UNIX datagram port connects to a name, with connectUNIXDatagram")
        }
        let target = try destination(.ip(IPAddress(family == AF_INET6 ? .ipv6 : .ipv4, host: host, port: port)))
        guard target.withSockAddr({ Glibc.connect(fd, $0, $1) }) == 0 else {
            let error = SystemCallError("connect")
            throw ConnectError("connecting the UDP port to \(host):\(port): \(error.reason)", osError: error.code)
        }
        state = .serving(peer: kind.address(of: target))
    }

    /// Stops reading at once; the socket closes, the protocol hears `stopProtocol` and the
    /// Deferred fires on a later loop pass — never inside this call. Later calls get a Deferred
    /// firing with the same close (or at once when the port is closed).
    @discardableResult
    func stopListening() -> Deferred<Void> {
        switch state {
        case .closed:
            return succeed(())
        case .stopping:
            break
        case .serving:
            state = .stopping
            watchers?.stop()
            reactor.callLater(0) { [self] in finishClosing() }
        }
        let waiter = Deferred<Void>()
        stopWaiters.append(waiter)
        return waiter
    }

    /// Readable, or an error is pending (read the same way: the receive reports it).
    override func handleReadable() {
        receiveUntilDrained()
    }

    override func closeForShutdown() {
        finishClosing()
    }

    /// Closes the socket, tells the protocol, and fires the waiting Deferreds. Runs once.
    private func finishClosing() {
        if case .closed = state { return }
        state = .closed
        watchers?.stop()
        Sockets.close(fd)
        loop.unregister(self)
        loop.logger.debug("(\(kind.logName) Port \(kind.logDescription(of: address)) Closed)")
        let receiver = self.receiver
        self.receiver = nil
        receiver?.doStop()
        let waiters = stopWaiters
        stopWaiters = []
        for waiter in waiters { try? waiter.callback() }
    }

    /// Logs a system error at most once a second.
    func logRateLimited(_ message: Logger.Message, _ error: SystemCallError) {
        let now = reactor.seconds()
        guard now - lastErrorLog >= 1 else { return }
        lastErrorLog = now
        loop.logger.error(message, metadata: ["port": "\(address)", "error": "\(error)"])
    }
}
