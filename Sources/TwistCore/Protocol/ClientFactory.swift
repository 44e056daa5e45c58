/// A connection attempt in progress or made, as its factory sees it (Twisted's `IConnector`).
public protocol Connector: AnyObject {
    /// Where the connector connects to: the host and port given to `connectTCP`.
    var destination: Address { get }

    /// Stops an attempt in progress; the factory's ``ClientFactory/clientConnectionFailed(_:reason:)``
    /// gets a ``UserError``.
    ///
    /// - Throws: ``NotConnectingError`` when no attempt is in progress.
    func stopConnecting() throws

    /// Stops an attempt in progress, or closes the established connection (`loseConnection`).
    func disconnect()

    /// Starts a new attempt, for example from `clientConnectionFailed` or `clientConnectionLost`
    /// to try again.
    ///
    /// - Precondition: no attempt is in progress and no connection is up (Twisted raises
    ///   `RuntimeError`).
    func connect()
}

/// A factory for outgoing connections that learns how each attempt went (Twisted's `ClientFactory`).
///
/// The same connector object is passed to every notification of one `connectTCP`.
open class ClientFactory: Factory {
    /// The attempt has begun; called synchronously inside `connectTCP`.
    open func startedConnecting(_ connector: any Connector) {}

    /// No connection was made: refused, timed out, unresolvable, bind failed, or stopped.
    open func clientConnectionFailed(_ connector: any Connector, reason: Failure) {}

    /// An established connection ended; called after the protocol's `connectionLost`.
    open func clientConnectionLost(_ connector: any Connector, reason: Failure) {}
}
