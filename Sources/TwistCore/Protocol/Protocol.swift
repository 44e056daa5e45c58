/// The code that speaks on one connection (Twisted's `twisted.internet.protocol.Protocol`).
///
/// Subclass it and override what you need. The reactor calls, in order and on its thread:
/// ``makeConnection(_:)`` (which sets ``transport`` and calls ``connectionMade()``), then
/// ``dataReceived(_:)`` for each chunk that arrives, then ``connectionLost(reason:)`` exactly
/// once. Nothing is called after that, and the transport lets go of the protocol.
open class Protocol {
    /// The transport this protocol talks through; nil until ``makeConnection(_:)``.
    ///
    /// Read on every message's path (a receiver's writes, its `isDisconnecting` checks) and set
    /// only by ``makeConnection(_:)``, on the reactor thread: the dynamic exclusivity check (a
    /// runtime call per access from another module) is off.
    @exclusivity(unchecked) public private(set) var transport: (any Transport)?

    /// The factory that built this protocol, if a factory did (set by ``Factory/buildProtocol(address:)``).
    public var factory: Factory?

    /// True from ``makeConnection(_:)`` until ``connectionLost(reason:)`` has been delivered.
    public private(set) var isConnected = false

    /// A protocol not yet connected.
    public init() {}

    /// Connects this protocol to `transport` and calls ``connectionMade()``. The reactor calls
    /// it; tests call it with a `StringTransport`.
    open func makeConnection(_ transport: any Transport) {
        isConnected = true
        self.transport = transport
        connectionMade()
    }

    /// Makes `transport` this connected protocol's transport without calling ``connectionMade()``
    /// again: for a layer inserted below a live protocol, as `startTLS` inserts TLS. Later
    /// writes through ``transport`` go through that layer.
    ///
    /// - Precondition: the protocol is connected.
    public final func rebindTransport(_ transport: any Transport) {
        precondition(isConnected, "rebindTransport on a protocol that is not connected")
        self.transport = transport
    }

    /// The connection is up. Data written here is sent once control returns to the reactor.
    open func connectionMade() {}

    /// Bytes arrived. `data` is a view of the reactor's receive buffer, valid to read during this
    /// call; keeping it is safe (the buffer is then copied on the next read), but a protocol that
    /// keeps many should copy what it needs. An error thrown here is logged and closes this
    /// connection, with the error as the reason given to ``connectionLost(reason:)``.
    open func dataReceived(_ data: ArraySlice<UInt8>) throws {}

    /// Offers a buffer of the protocol's own for the next read, so that the rest of a long
    /// message whose length is already known is read straight to where it is kept, not into the
    /// reactor's receive buffer and then copied (asyncio's `BufferedProtocol`; Twisted has no
    /// such call).
    ///
    /// A stream transport asks before each read. The default, and any protocol not in the middle
    /// of such a message, returns nil: the read goes to the receive buffer and then to
    /// ``dataReceived(_:)`` as usual. A protocol that takes the offer calls `read` exactly once
    /// with a non-empty region of its own storage, valid for that call only; `read` fills the
    /// region first and may read more bytes, past it, into the transport's own buffer. It returns
    /// what the read returned: the number of bytes read, 0 at end of input, or a negative value
    /// on error. When it is positive the protocol accepts `min(count, region.count)` bytes as
    /// received (without calling ``dataReceived(_:)`` for them) and returns the same count; the
    /// transport then delivers the bytes past the region with ``dataReceived(_:)``, in order.
    /// Nothing else may happen inside the call: no writes, no callbacks of the application.
    open func readDirectly(_ read: (UnsafeMutableRawBufferPointer) -> Int) -> Int? { nil }

    /// The connection is gone: ``ConnectionDone`` after a clean close, ``ConnectionLost`` (or
    /// ``ConnectionAborted``) otherwise, or the error that closed it. Called exactly once.
    open func connectionLost(reason: Failure) {}

    /// What a transport calls when the connection is gone: marks the protocol disconnected and
    /// calls ``connectionLost(reason:)`` — once; later calls do nothing, so "exactly once" holds
    /// whatever the transport does.
    public final func deliverConnectionLost(reason: Failure) {
        guard isConnected else { return }
        isConnected = false
        connectionLost(reason: reason)
    }

    /// A short prefix for this protocol's log lines: its type name (Twisted's `logPrefix()`).
    open var logPrefix: String {
        String(describing: type(of: self))
    }
}
