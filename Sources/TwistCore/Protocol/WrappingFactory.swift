/// A factory that wraps the protocols of another factory (Twisted's
/// `twisted.protocols.policies.WrappingFactory`).
///
/// **What it promises.** ``buildProtocol(address:)`` asks ``wrappedFactory`` for a protocol and
/// returns ``makeWrapper(around:)`` of it; when the wrapped factory refuses (nil), so does this
/// one (Twisted returns a wrapper around `None`). The wrapped protocol keeps the ``Protocol/factory``
/// its own factory gave it; the wrapper's factory is this one. Starting and stopping pass
/// through: while any port or connector uses this factory, it counts as one user of the wrapped
/// factory. When the wrapped factory is a ``ClientFactory``, `startedConnecting`,
/// `clientConnectionFailed` and `clientConnectionLost` pass through to it with the same arguments;
/// otherwise they do nothing. Connected wrappers are listed in ``protocols``.
///
/// Use it directly for pass-through wrappers, or subclass it and override
/// ``makeWrapper(around:)`` to build your own ``ProtocolWrapper`` subclass. It works for
/// listening ports and for client connections alike (it is a ``ClientFactory``).
open class WrappingFactory: ClientFactory {
    /// The factory whose protocols are wrapped.
    public let wrappedFactory: Factory

    /// `wrappedFactory` when it is a client factory (cast once, here, not per notification).
    private let wrappedClientFactory: ClientFactory?

    /// The connected wrappers, by identity.
    private var live: [ObjectIdentifier: ProtocolWrapper] = [:]

    /// A factory wrapping the protocols of `wrappedFactory`.
    public init(wrapping wrappedFactory: Factory) {
        self.wrappedFactory = wrappedFactory
        wrappedClientFactory = wrappedFactory as? ClientFactory
        super.init()
    }

    /// The wrappers currently connected: each is added by its `makeConnection` and removed by its
    /// `connectionLost` (Twisted's `protocols`). In no particular order.
    public var protocols: [ProtocolWrapper] { Array(live.values) }

    /// How many wrappers are currently connected.
    public var protocolCount: Int { live.count }

    /// Wraps the protocol the wrapped factory builds for `address`; nil when it builds none.
    open override func buildProtocol(address: Address) -> Protocol? {
        guard let wrapped = wrappedFactory.buildProtocol(address: address) else { return nil }
        return makeWrapper(around: wrapped)
    }

    /// Builds the wrapper for `wrapped`. The default is a ``HalfCloseableProtocolWrapper`` when
    /// `wrapped` is a ``HalfCloseableProtocol``, a plain ``ProtocolWrapper`` otherwise, each with
    /// this factory as its factory. Override to build your own wrapper (pass `factory: self` so
    /// it is listed in ``protocols``).
    open func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
        if wrapped is any HalfCloseableProtocol {
            return HalfCloseableProtocolWrapper(wrapping: wrapped, factory: self)
        }
        return ProtocolWrapper(wrapping: wrapped, factory: self)
    }

    /// Adds `wrapper` to ``protocols``; its `makeConnection` calls this.
    open func registerProtocol(_ wrapper: ProtocolWrapper) {
        live[ObjectIdentifier(wrapper)] = wrapper
    }

    /// Removes `wrapper` from ``protocols``; its `connectionLost` calls this.
    open func unregisterProtocol(_ wrapper: ProtocolWrapper) {
        live[ObjectIdentifier(wrapper)] = nil
    }

    /// Starts using the wrapped factory (`doStart()`), when the first port or connector starts
    /// using this one.
    open override func startFactory() {
        wrappedFactory.doStart()
    }

    /// Stops using the wrapped factory (`doStop()`), when the last port or connector stops using
    /// this one.
    open override func stopFactory() {
        wrappedFactory.doStop()
    }

    /// Passes through to the wrapped factory when it is a ``ClientFactory``.
    open override func startedConnecting(_ connector: any Connector) {
        wrappedClientFactory?.startedConnecting(connector)
    }

    /// Passes through to the wrapped factory when it is a ``ClientFactory``.
    open override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        wrappedClientFactory?.clientConnectionFailed(connector, reason: reason)
    }

    /// Passes through to the wrapped factory when it is a ``ClientFactory``.
    open override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        wrappedClientFactory?.clientConnectionLost(connector, reason: reason)
    }

    /// The wrapped factory's prefix followed by this factory's type: `EchoFactory (WrappingFactory)`.
    open override var logPrefix: String {
        "\(wrappedFactory.logPrefix) (\(String(describing: type(of: self))))"
    }
}
