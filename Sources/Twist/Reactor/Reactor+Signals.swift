import TwistCore

extension Reactor {
    /// Calls `handler` on the reactor thread each time the process receives `signalNumber`, until
    /// the returned registration is removed (Twisted installs handlers with `signal.signal`; here
    /// they go through the loop, so they run as ordinary reactor callbacks, never inside the
    /// signal handler). Several handlers for one signal run in the order they were added. While a
    /// signal has a handler its default action is replaced; when the last one goes it is restored.
    /// Signals that arrive close together may be delivered once.
    ///
    /// Child processes need no SIGCHLD handler: they are reaped through pidfds.
    ///
    /// - Throws: ``InvalidSignal`` for SIGKILL, SIGSTOP or a number that is not a signal;
    ///   ``SignalInUse`` when another reactor of the process watches the signal (libev lets one
    ///   loop watch a signal).
    @discardableResult
    public nonisolated func addSignalHandler(
        _ signalNumber: Int32, _ handler: @escaping (Int32) -> Void
    ) throws -> SignalHandlerRegistration {
        requireConfined()
        let id = try core.signals.add(signalNumber, handler)
        return SignalHandlerRegistration(signalNumber: signalNumber, id: id, reactor: self)
    }
}

/// A handler added with ``Reactor/addSignalHandler(_:_:)``; ``remove()`` takes it away.
/// Confined to the reactor thread.
public final class SignalHandlerRegistration {
    /// The signal the handler is for.
    public let signalNumber: Int32
    private let id: UInt64
    private weak var reactor: Reactor?

    init(signalNumber: Int32, id: UInt64, reactor: Reactor) {
        self.signalNumber = signalNumber
        self.id = id
        self.reactor = reactor
    }

    /// Removes the handler; once a signal has no handler left its default action is restored.
    /// Returns false when it was removed already (removing twice is harmless).
    @discardableResult
    public func remove() -> Bool {
        guard let reactor else { return false }
        reactor.requireConfined()
        return reactor.core.signals.remove(signalNumber, id: id)
    }
}
