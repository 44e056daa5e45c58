/// The code that speaks on one UDP or UNIX datagram port (Twisted's
/// `twisted.internet.protocol.DatagramProtocol`).
///
/// Subclass it and override what you need. The reactor calls, in order and on its thread:
/// ``makeConnection(_:)`` from inside `listenUDP` (it sets ``transport`` and calls
/// ``startProtocol()``; writing from there is allowed), then ``datagramReceived(_:from:)`` once
/// per datagram (empty ones included) and ``connectionRefused()`` when a connected port hears
/// that its peer refused, and after `stopListening()`, on a later loop pass, ``stopProtocol()``
/// (``transport`` is nil again then). The same instance may listen again after that, and gets
/// ``startProtocol()`` again; it may not listen on two ports at once.
open class DatagramProtocol {
    /// The port this protocol sends through; nil until ``makeConnection(_:)`` and again after
    /// the port stopped.
    public private(set) var transport: (any DatagramTransport)?

    /// A protocol not yet listening.
    public init() {}

    /// Attaches this protocol to `transport` and calls ``startProtocol()`` (Twisted's
    /// `makeConnection` → `doStart`). The reactor calls it; a test calls it with a
    /// `FakeDatagramTransport`.
    ///
    /// - Throws: ``DatagramStateError`` when the protocol is attached to a port already (Twisted
    ///   asserts; one instance cannot serve two live ports).
    open func makeConnection(_ transport: any DatagramTransport) throws {
        guard self.transport == nil else {
            throw DatagramStateError("\(logPrefix) is already listening on \(self.transport!.address)")
        }
        self.transport = transport
        startProtocol()
    }

    /// What a port calls once it has closed: lets go of ``transport`` and calls
    /// ``stopProtocol()`` (Twisted's `doStop`). Does nothing when the protocol is not attached,
    /// so it runs at most once per ``makeConnection(_:)``.
    public final func doStop() {
        guard transport != nil else { return }
        transport = nil
        stopProtocol()
    }

    /// The port is open and ``transport`` is set: set up here, and send if you like.
    open func startProtocol() {}

    /// The port has closed; ``transport`` is nil. Called once per ``startProtocol()``.
    open func stopProtocol() {}

    /// One datagram arrived from `sender`. `data` is a view of the reactor's receive buffer, valid
    /// to read during this call (keeping it is safe: the buffer is then copied before the next
    /// read). A datagram longer than the port's `maxPacketSize` arrives cut to that size. An error
    /// thrown here is logged, and the port goes on with the next datagram.
    open func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {}

    /// A connected port's peer answered an earlier datagram with ICMP port-unreachable (nobody
    /// listens there). The port stays open. Unconnected ports never hear of refusals.
    open func connectionRefused() {}

    /// A short prefix for this protocol's log lines: its type name (Twisted's `logPrefix()`).
    open var logPrefix: String {
        String(describing: type(of: self))
    }
}
