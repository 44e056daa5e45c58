import TwistCore

/// One reactor's share of a ``ReactorGroupPort``: the factory built for that reactor, and — for
/// `SO_REUSEPORT`, and on the accepting reactor of a hand-off — that reactor's own listening port.
/// It serves the connections handed to it (``adopt(_:)``) with its factory, on its reactor's
/// thread, as the port would have.
///
/// Registered with its reactor like a port, so the reactor's shutdown closes it; closing tells the
/// group port (``ReactorGroupPortClosing``). Confined to its reactor's thread.
final class GroupPortMember: IOHandler {
    private let factory: Factory
    private let reactor: Reactor
    private var port: (any ListeningPort)?
    private var phase = Phase.serving
    private let closing: ReactorGroupPortClosing

    private enum Phase {
        case serving
        case closed
    }

    /// A member serving on `reactor` with `factory`. With a `port`, the port starts and stops the
    /// factory; without one (a hand-off receiver), the member does.
    init(reactor: Reactor, factory: Factory, port: (any ListeningPort)?, closing: ReactorGroupPortClosing) {
        self.reactor = reactor
        self.factory = factory
        self.port = port
        self.closing = closing
        super.init()
        closing.memberOpened()
        reactor.core.register(self)
        if port == nil { factory.doStart() }
    }

    /// Serves a connection the accepting reactor handed over: builds its protocol with this
    /// reactor's factory and starts it here. After the member closed, or when the factory refuses,
    /// the descriptor is closed.
    func adopt(_ descriptor: HandedOffDescriptor) {
        let fd = descriptor.take()
        guard fd >= 0 else { return }
        guard case .serving = phase else { return Sockets.close(fd) }
        guard let built = factory.buildProtocol(address: descriptor.peer) else {
            Sockets.close(fd)
            reactor.ioResources.instrumentation?.connectionRefusedByFactory()
            return
        }
        reactor.ioResources.instrumentation?.connectionAccepted()
        let connection: StreamConnection
        if case .unix = descriptor.peer {
            connection = UNIXConnection(
                fd: fd, host: descriptor.portAddress, peer: descriptor.peer, protocol: built, reactor: reactor)
        } else {
            connection = TCPConnection(fd: fd, peer: descriptor.peer, protocol: built, reactor: reactor)
        }
        connection.start()
    }

    /// Stops this reactor's share: closes its port (or stops its factory) and tells the group
    /// port. Connections already served stay. Does nothing the second time.
    func close() {
        guard case .serving = phase else { return }
        phase = .closed
        reactor.core.unregister(self)
        if let port {
            port.stopListening()
        } else {
            factory.doStop()
        }
        port = nil
        closing.memberClosed()
    }

    override func closeForShutdown() {
        close()
    }
}
