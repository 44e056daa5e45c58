import CTwistShims
import Glibc
import Logging
import TwistCore

/// A bound UDP socket and the ``DatagramProtocol`` it serves (Twisted's `udp.Port` and, made by
/// `listenMulticast`, `udp.MulticastPort`): the port is the protocol's transport.
///
/// Reads are batched: each wake-up takes datagrams with `recvmmsg` into slots of
/// `maxPacketSize` bytes in the reactor's receive buffer, and hands each to the protocol as a
/// view of its slot, until the socket is drained or a budget (``readBudgetBytes``,
/// ``readBudgetDatagrams``) is spent, so one busy port cannot starve the loop. A write made outside
/// a read batch is one `sendto`, never queued (see ``DatagramTransport``); writes made while a
/// batch is delivered are gathered and sent with one `sendmmsg` once it has been (``UDPSendMode``).
///
/// An error readiness on the socket (a pending ICMP error) is read like readability: the
/// receive returns `ECONNREFUSED`, a connected port calls `connectionRefused()` and keeps serving
/// (Twisted's epoll reactor closes the port instead).
final class UDPPort: IOHandler, MulticastTransport {
    /// The most payload bytes one wake-up delivers before yielding to the loop (Twisted's 256 KiB).
    static let readBudgetBytes = 256 * 1024
    /// The most datagrams one wake-up delivers before yielding to the loop.
    static let readBudgetDatagrams = 1024
    /// The most datagrams one `recvmmsg` takes, and one `sendmmsg` sends.
    static let batchCapacity = 64
    /// The payload bytes the send batch holds: any one datagram fits an empty batch.
    static let sendBatchBytes = 65_536

    let address: Address
    let maxPacketSize: Int
    let fd: Int32
    /// `AF_INET` or `AF_INET6`.
    let family: Int32
    private(set) var state: UDPPortState = .serving(peer: nil)
    /// The protocol, until the port has closed (then let go, so neither keeps the other).
    private(set) var receiver: DatagramProtocol?
    let reactor: Reactor
    unowned let loop: ReactorLoop
    private var watchers: IOWatchers!
    /// The `recvmmsg` headers, made once.
    let batch: OpaquePointer
    /// The `sendmmsg` headers and the copies of the datagrams gathered for them, made once.
    let sendBatch: OpaquePointer
    /// Whether writes go out at once or are gathered for the end of the read batch.
    var sendMode = UDPSendMode.immediate
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
    var datagramsPerWakeUp = UDPPort.readBudgetDatagrams
    /// The send system call: `sendto(2)`. Tests replace it to make the kernel's answers that
    /// loopback never gives (a full send buffer: a UDP socket's buffer on `lo` is freed as soon
    /// as the datagram is handed over, so `EAGAIN` cannot be provoked there).
    var sendCall: (Int32, UnsafeRawPointer?, Int, Int32, UnsafePointer<sockaddr>?, socklen_t) -> Int = Glibc.sendto
    /// The batched send: `sendmmsg(2)` of up to `limit` gathered datagrams from index `first`
    /// (``twist_datagram_send_batch_send``). Tests replace it to make partial sends and `EAGAIN`.
    var sendBatchCall: (_ batch: OpaquePointer, _ fd: Int32, _ first: Int32, _ limit: Int32) -> Int32 =
        twist_datagram_send_batch_send

    /// Binds the socket as asked; the port neither reads nor has told the protocol anything yet
    /// (``start(_:)`` does that).
    ///
    /// - Throws: ``InvalidAddressError`` for a named interface or a bad size,
    ///   ``CannotListenError`` when the socket cannot be made or bound.
    init(port: Int, interface: String, maxPacketSize: Int, reuse: Bool, reactor: Reactor) throws {
        guard (1...65_535).contains(maxPacketSize) else {
            throw InvalidAddressError("maxPacketSize must be 1...65535, not \(maxPacketSize)")
        }
        guard (0...65_535).contains(port) else { throw InvalidAddressError("port \(port) is out of range") }
        guard let bindAddress = SystemAddress(numericHost: interface, port: port) else {
            throw InvalidAddressError("the interface must be a numeric IP address, not \"\(interface)\"")
        }
        let fd: Int32
        switch Sockets.makeDatagramSocket(family: bindAddress.family) {
        case .success(let made): fd = made
        case .failure(let error): throw CannotListenError(interface: interface, port: port, error.reason, osError: error.code)
        }
        if reuse {
            Sockets.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            Sockets.setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1)
        }
        guard bindAddress.withSockAddr({ bind(fd, $0, $1) }) == 0 else {
            let error = SystemCallError("bind")
            Sockets.close(fd)
            throw CannotListenError(interface: interface, port: port, error.reason, osError: error.code)
        }
        guard let batch = twist_datagram_batch_create(Int32(Self.batchCapacity)) else {
            Sockets.close(fd)
            throw CannotListenError(interface: interface, port: port, "out of memory")
        }
        guard let sendBatch = twist_datagram_send_batch_create(Int32(Self.batchCapacity), Self.sendBatchBytes) else {
            twist_datagram_batch_destroy(batch)
            Sockets.close(fd)
            throw CannotListenError(interface: interface, port: port, "out of memory")
        }
        self.fd = fd
        self.batch = batch
        self.sendBatch = sendBatch
        self.family = bindAddress.family
        self.address = .ip(SystemAddress.local(of: fd)?.ipAddress ?? bindAddress.ipAddress)
        self.maxPacketSize = maxPacketSize
        self.reactor = reactor
        self.loop = reactor.core
        if maxPacketSize > IOResources.receiveBufferSize { ownBuffer = [UInt8](repeating: 0, count: maxPacketSize) }
        super.init()
        watchers = IOWatchers(fd: fd, handler: self, loop: loop.loop)
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
        loop.logger.debug("\(receiver.logPrefix) starting on \(address.port ?? 0)")
        do {
            try receiver.makeConnection(self)
        } catch {
            self.receiver = nil
            state = .closed
            watchers.stop()
            Sockets.close(fd)
            loop.unregister(self)
            throw error
        }
        if state.isServing { watchers.startReading() }
    }

    var connectedAddress: Address? { state.peer.map(Address.ip) }

    var isBroadcastAllowed: Bool { Sockets.option(fd, SOL_SOCKET, SO_BROADCAST) != 0 }

    func setBroadcastAllowed(_ allowed: Bool) {
        guard state.isServing else { return }
        Sockets.setOption(fd, SOL_SOCKET, SO_BROADCAST, allowed ? 1 : 0)
    }

    func connect(host: String, port: Int) throws {
        guard case .serving(let peer) = state else { throw DatagramStateError("the port is not listening") }
        if let peer { throw DatagramStateError("already connected to \(peer); UDP ports connect once") }
        let target = try destination(.ip(IPAddress(family == AF_INET6 ? .ipv6 : .ipv4, host: host, port: port)))
        guard target.withSockAddr({ Glibc.connect(fd, $0, $1) }) == 0 else {
            let error = SystemCallError("connect")
            throw ConnectError("connecting the UDP port to \(host):\(port): \(error.reason)", osError: error.code)
        }
        state = .serving(peer: target.ipAddress)
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
            watchers.stop()
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
        watchers.stop()
        Sockets.close(fd)
        loop.unregister(self)
        loop.logger.debug("(UDP Port \(address.port ?? 0) Closed)")
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
