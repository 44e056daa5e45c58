/// The code that speaks on one connection (Twisted's `twisted.internet.protocol.Protocol`).
///
/// Subclass it and override what you need. The reactor calls, in order and on its thread:
/// ``makeConnection(_:)`` (which sets ``transport`` and calls ``connectionMade()``), then
/// ``dataReceived(_:)`` for each chunk that arrives, then ``connectionLost(reason:)`` exactly
/// once. Nothing is called after that, and the transport lets go of the protocol.
open class Protocol {
    /// The transport this protocol talks through; nil until ``makeConnection(_:)``.
    public private(set) var transport: (any Transport)?

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

    /// The connection is up. Data written here is sent once control returns to the reactor.
    open func connectionMade() {}

    /// Bytes arrived. `data` is a view of the reactor's receive buffer, valid to read during this
    /// call; keeping it is safe (the buffer is then copied on the next read), but a protocol that
    /// keeps many should copy what it needs. An error thrown here is logged and closes this
    /// connection, with the error as the reason given to ``connectionLost(reason:)``.
    open func dataReceived(_ data: ArraySlice<UInt8>) throws {}

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
