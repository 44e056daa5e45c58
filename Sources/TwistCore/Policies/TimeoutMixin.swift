/// A protocol that times out its own connection, in Twisted's `TimeoutMixin` shape:
/// ``setTimeout(_:)``, ``resetTimeout()`` and an overridable ``timeoutConnection()``.
///
/// Adopt it by storing a ``ConnectionTimeout`` made with ``ConnectionTimeout/init(clock:for:)``,
/// which calls ``timeoutConnection()`` when a period runs out:
///
/// ```swift
/// final class Chat: LineReceiver, TimeoutMixin {
///     lazy var connectionTimeout = ConnectionTimeout(clock: reactor, for: self)
///     override func connectionMade() { setTimeout(60) }
///     override func lineReceived(_ line: ArraySlice<UInt8>) { resetTimeout() }
///     func timeoutConnection() { sendLine("bye".utf8); transport?.loseConnection() }
/// }
/// ```
///
/// The promises are ``ConnectionTimeout``'s, the difference from Twisted included: the timer
/// does not fire once the connection is lost. Implement ``timeoutConnection()`` in the adopting
/// class itself (the default closes the connection); a subclass can override it only if the
/// adopting class declared it.
public protocol TimeoutMixin: Protocol {
    /// The timer behind ``setTimeout(_:)`` and ``resetTimeout()``, owned by the protocol.
    var connectionTimeout: ConnectionTimeout { get }

    /// Runs when a period runs out with the connection still up. The default calls
    /// `transport.loseConnection()`.
    func timeoutConnection()
}

extension TimeoutMixin {
    /// Sets the period (nil cancels) and returns the previous one, as
    /// ``ConnectionTimeout/setTimeout(_:)`` does.
    @discardableResult
    public func setTimeout(_ period: Double?) -> Double? {
        connectionTimeout.setTimeout(period)
    }

    /// Restarts the full period if a call is pending, as ``ConnectionTimeout/resetTimeout()`` does.
    public func resetTimeout() {
        connectionTimeout.resetTimeout()
    }

    /// Closes the connection gracefully (`transport.loseConnection()`).
    public func timeoutConnection() {
        transport?.loseConnection()
    }
}
