internal import Logging

/// Closes every connection that stays idle for ``idleTimeout`` seconds: nothing received and
/// nothing written (Twisted's `TimeoutFactory`).
///
/// An idle timeout is one line in a server:
///
/// ```swift
/// let port = try reactor.listenTCP(8000, TimeoutFactory(wrapping: factory, idleTimeout: 30, clock: reactor))
/// ```
///
/// **What it promises.** Each connection's timer starts when it connects; every `dataReceived`
/// from below and every `write`/`writeSequence` from the protocol above restarts it. When it runs
/// out, the connection is closed gracefully (`loseConnection`, so what is queued is still sent)
/// and a `debug` line is logged through the factory's logger; the wrapped protocol then hears
/// ``ConnectionDone`` as for any close. The timer is cancelled at `connectionLost`, so it never
/// fires on a closed connection. Everything else passes through, as for ``WrappingFactory``.
public final class TimeoutFactory: WrappingFactory {
    /// How long, in seconds, a connection may stay idle before it is closed.
    public let idleTimeout: Double

    /// Where the timers are scheduled.
    let clock: any ReactorTime

    /// A factory wrapping the protocols of `wrappedFactory` so that each connection is closed
    /// after `idleTimeout` idle seconds, timed on `clock` (the reactor, or a `TestClock`). Its
    /// logger starts as the wrapped factory's.
    ///
    /// - Precondition: `idleTimeout` is a non-negative number.
    public init(wrapping wrappedFactory: Factory, idleTimeout: Double, clock: any ReactorTime) {
        precondition(idleTimeout >= 0, "TimeoutFactory needs a non-negative idle timeout, got \(idleTimeout)")
        self.idleTimeout = idleTimeout
        self.clock = clock
        super.init(wrapping: wrappedFactory)
        logger = wrappedFactory.logger
    }

    /// A wrapper that times out `wrapped`'s connection (half-closeable when `wrapped` is).
    public override func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
        if wrapped is any HalfCloseableProtocol {
            return HalfCloseableTimeoutProtocolWrapper(wrapping: wrapped, factory: self)
        }
        return TimeoutProtocolWrapper(wrapping: wrapped, factory: self)
    }

    /// Logs that `wrapper`'s connection is being closed for idleness.
    func logTimeout(of wrapper: TimeoutProtocolWrapper) {
        logger.debug("closing connection idle for \(idleTimeout) s (\(wrapper.logPrefix))")
    }
}
