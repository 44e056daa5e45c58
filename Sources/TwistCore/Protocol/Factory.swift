public import Logging

/// Builds a ``Protocol`` for each connection and keeps state shared between them (Twisted's
/// `Factory`).
///
/// Either give it a closure that makes the protocol — `Factory { Echo() }` — or subclass it and
/// override ``buildProtocol(address:)``. Ports and connectors count their use of a factory with
/// ``doStart()``/``doStop()``: ``startFactory()`` runs when the first one starts using it,
/// ``stopFactory()`` when the last one stops.
open class Factory {
    private let makeProtocol: (() -> Protocol?)?

    /// How many ports and connectors currently use this factory.
    public private(set) var numberOfUsers = 0

    /// Where the factory logs "Starting factory" and "Stopping factory", at `debug`: a library
    /// is quiet at the default `info` level, so a client that connects once a second does not
    /// write two lines a second to standard error (Twisted prints nothing until logging is
    /// started). An application that wants them lowers its log level.
    public var logger = Logger(label: "twist.factory")

    /// Whether ``doStart()`` and ``doStop()`` log at all (Twisted's `noisy`); true by default.
    public var noisy = true

    /// A factory that builds each protocol with `makeProtocol` (returning nil refuses the connection).
    public init(_ makeProtocol: @escaping () -> Protocol?) {
        self.makeProtocol = makeProtocol
    }

    /// A factory for subclasses that override ``buildProtocol(address:)``.
    public init() {
        makeProtocol = nil
    }

    /// Builds the protocol for a new connection from or to `address` (the peer on a server, the
    /// server on a client), and sets its ``Protocol/factory``. Returning nil refuses the
    /// connection: a listening port closes it; a client attempt fails with ``NoProtocol``.
    open func buildProtocol(address: Address) -> Protocol? {
        guard let built = makeProtocol?() else { return nil }
        built.factory = self
        return built
    }

    /// Called when the first port or connector starts using this factory. Override to set up.
    open func startFactory() {}

    /// Called when the last port or connector stops using this factory. Override to tear down.
    open func stopFactory() {}

    /// Counts one more user; calls ``startFactory()`` on the first.
    public func doStart() {
        if numberOfUsers == 0 {
            if noisy { logger.debug("Starting factory \(self)") }
            startFactory()
        }
        numberOfUsers += 1
    }

    /// Counts one user less; calls ``stopFactory()`` when the last one goes. Does nothing at zero.
    public func doStop() {
        guard numberOfUsers > 0 else { return }
        numberOfUsers -= 1
        if numberOfUsers == 0 {
            if noisy { logger.debug("Stopping factory \(self)") }
            stopFactory()
        }
    }

    /// A short prefix for log lines: the type name.
    open var logPrefix: String {
        String(describing: type(of: self))
    }
}

extension Factory: CustomStringConvertible {
    /// The factory's ``logPrefix`` (its type name unless a subclass overrides it), so log lines
    /// such as "Starting factory ..." name the factory as the subclass wants.
    public var description: String { "\(logPrefix)" }
}

/// A factory for listening ports (Twisted's `ServerFactory`); the same as ``Factory``, named for intent.
open class ServerFactory: Factory {}
