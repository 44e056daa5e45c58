import CTwistShims
import Glibc
import Logging
import TwistCore

/// A listening stream socket — TCP or UNIX, as its ``StreamPortKind`` says: accepts connections
/// and hands each to a protocol its factory builds (Twisted's `tcp.Port` and `unix.Port`, as one
/// engine).
///
/// Accepts are non-blocking and close-on-exec (`accept4`), batched per readiness like Twisted's
/// port (start at 100, grow by 20 when a batch is used up, otherwise shrink to what was accepted).
/// When the process is out of descriptors (EMFILE/ENFILE) the port frees the reactor's reserve
/// descriptor, accepts the waiting peer and closes it at once, then reopens the reserve — so the
/// loop never spins on a listener that stays readable, and the port serves again as soon as
/// descriptors free up. Connections already accepted outlive the port.
final class StreamPort<Kind: StreamPortKind>: IOHandler, ListeningPort {
    let address: Address
    private var kind: Kind
    private let fd: Int32
    private let factory: Factory
    private unowned let loop: ReactorLoop
    private let reactor: Reactor
    private var watchers: IOWatchers!
    private var isListening = true
    private var acceptsPerWakeUp = 100
    private var lastExhaustionLog = -Double.infinity
    private var acceptingPaused = false
    /// Set for the accepting port of a reactor group's hand-off listener: it sends most accepted
    /// descriptors to the group's other reactors instead of serving them here.
    var handOff: ConnectionHandOff?

    /// Opens the socket as `kind` says and starts the factory; the port is serving when this
    /// returns.
    ///
    /// - Throws: what ``StreamPortKind/openListeningSocket(backlog:)`` throws; the factory is not
    ///   started then.
    init(kind: Kind, backlog: Int, factory: Factory, reactor: Reactor) throws {
        var kind = kind
        (fd, address) = try kind.openListeningSocket(backlog: backlog)
        self.kind = kind
        self.factory = factory
        self.reactor = reactor
        self.loop = reactor.core
        super.init()
        watchers = IOWatchers(fd: fd, handler: self, loop: loop.loop)
        reactor.ioResources.openReserveDescriptor()  // now, while descriptors are to be had
        loop.register(self)
        factory.doStart()
        loop.logger.debug("\(factory.logPrefix) starting on \(logDescription)")
        watchers.startReading()
    }

    /// The port as log lines name it.
    private var logDescription: String { kind.logDescription(of: address) }

    override func handleReadable() {
        var accepted = 0
        while accepted < acceptsPerWakeUp, isListening {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let connection = withUnsafeMutableBytes(of: &storage) { raw in
                twist_accept_nonblocking(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
            if connection < 0 {
                let code = errno
                switch code {
                case EAGAIN, EWOULDBLOCK:
                    break
                case EINTR, ECONNABORTED, EPERM:
                    continue
                case EMFILE, ENFILE:
                    refuseOneWhileOutOfDescriptors(code)
                default:
                    logRateLimited("accept failed; the port keeps listening", code)
                }
                break
            }
            accepted += 1
            serve(connection, peer: kind.peerAddress(SystemAddress(storage: storage, length: length)))
        }
        acceptsPerWakeUp = accepted == acceptsPerWakeUp ? acceptsPerWakeUp + 20 : max(1, accepted)
    }

    /// Builds the protocol for an accepted socket, or closes it when the factory refuses.
    private func serve(_ connection: Int32, peer: Address) {
        if let handOff, handOff.handOff(connection, peer: peer, portAddress: address) { return }
        guard let built = factory.buildProtocol(address: peer) else {
            Sockets.close(connection)
            reactor.ioResources.instrumentation?.connectionRefusedByFactory()
            return
        }
        reactor.ioResources.instrumentation?.connectionAccepted()
        kind.makeConnection(fd: connection, peer: peer, portAddress: address, protocol: built, reactor: reactor).start()
    }

    /// Out of descriptors with peers waiting: free the reserve descriptor, accept one and close it
    /// — and every other peer waiting — so the listener does not stay readable for nothing. When
    /// that is impossible (no reserve, or another thread took the freed descriptor), stop
    /// listening for a moment instead: either way the loop cannot spin.
    private func refuseOneWhileOutOfDescriptors(_ code: Int32) {
        logRateLimited("out of file descriptors; refusing waiting connections", code)
        let resources = reactor.ioResources
        resources.spendReserveDescriptor()
        var refused = 0
        for _ in 0..<max(acceptsPerWakeUp, 16) {
            let victim = twist_accept_nonblocking(fd, nil, nil)
            guard victim >= 0 else { break }
            Sockets.close(victim)
            refused += 1
        }
        let stillOut = errno == EMFILE || errno == ENFILE
        resources.openReserveDescriptor()
        if refused == 0 && stillOut { pauseAccepting() }
    }

    /// Stops watching the listener for `exhaustionBackoff` seconds.
    private func pauseAccepting() {
        guard isListening, !acceptingPaused else { return }
        acceptingPaused = true
        watchers.stopReading()
        reactor.callLater(exhaustionBackoff) { [self] in
            acceptingPaused = false
            if isListening { watchers.startReading() }
        }
    }

    private func logRateLimited(_ message: Logger.Message, _ code: Int32) {
        let now = reactor.seconds()
        guard now - lastExhaustionLog >= 1 else { return }
        lastExhaustionLog = now
        loop.logger.error(message, metadata: ["port": "\(logDescription)", "error": "\(SystemCallError("accept", code: code))"])
    }

    @discardableResult
    func stopListening() -> Deferred<Void> {
        let stopped = Deferred<Void>()
        close()
        reactor.callLater(0) { try stopped.callback() }
        return stopped
    }

    override func closeForShutdown() {
        close()
    }

    private func close() {
        guard isListening else { return }
        isListening = false
        watchers.stop()
        Sockets.close(fd)
        loop.unregister(self)
        kind.didClose(logger: loop.logger)
        loop.logger.debug("(\(Kind.logName) Port \(logDescription) Closed)")
        factory.doStop()
    }
}

/// How long a port stops accepting when it cannot even refuse connections (a file constant: a
/// generic class cannot hold a stored static).
private let exhaustionBackoff = 0.1
