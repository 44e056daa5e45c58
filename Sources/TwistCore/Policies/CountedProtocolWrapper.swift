/// A pass-through wrapper that holds a ``ConnectionSlot`` for its connection and releases it at
/// `connectionLost` (or when released unconnected): what the connection-limiting factories put
/// around each protocol they admit.
class CountedProtocolWrapper: ProtocolWrapper {
    /// The place this connection holds under its factory's limit.
    let slot: ConnectionSlot

    init(wrapping wrappedProtocol: Protocol, factory: WrappingFactory, slot: ConnectionSlot) {
        self.slot = slot
        super.init(wrapping: wrappedProtocol, factory: factory)
    }

    /// A counted wrapper around `wrapped`, half-closeable when `wrapped` is.
    static func around(_ wrapped: Protocol, factory: WrappingFactory, slot: ConnectionSlot) -> CountedProtocolWrapper {
        if wrapped is any HalfCloseableProtocol {
            return HalfCloseableCountedProtocolWrapper(wrapping: wrapped, factory: factory, slot: slot)
        }
        return CountedProtocolWrapper(wrapping: wrapped, factory: factory, slot: slot)
    }

    /// Gives the place back first (as Twisted unregisters before the wrapped protocol hears of
    /// the loss), then passes the loss on.
    override func connectionLost(reason: Failure) {
        slot.release()
        super.connectionLost(reason: reason)
    }
}

/// A ``CountedProtocolWrapper`` for a wrapped protocol that is half-closeable.
final class HalfCloseableCountedProtocolWrapper: CountedProtocolWrapper, HalfCloseableProtocol {}
