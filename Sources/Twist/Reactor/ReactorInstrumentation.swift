/// What a reactor tells a metrics backend about its stream connections, as they happen. A
/// reactor has none by default, and then each place that would report costs one load and one
/// branch; the `TwistMetrics` product supplies one backed by swift-metrics
/// (`reactor.instrumentation = TwistMetricsInstrumentation()`), and a program may supply its own.
///
/// Every method is called on the reactor's thread, from inside the loop: keep them cheap and
/// never call back into the reactor from them.
public protocol ReactorInstrumentation: AnyObject {
    /// A listening port accepted a connection and its factory built a protocol for it.
    func connectionAccepted()
    /// A listening port accepted a connection and its factory refused it (the socket is closed).
    func connectionRefusedByFactory()
    /// A stream connection (accepted, connected, or a child process's pipe) started.
    func connectionOpened()
    /// A stream connection closed, for `reason`.
    func connectionClosed(_ reason: ConnectionCloseReason)
    /// One read delivered `count` bytes to a protocol.
    func bytesReceived(_ count: Int)
    /// One write or `writev` handed `count` bytes to the kernel.
    func bytesSent(_ count: Int)
}

/// Why a stream connection closed, as metrics count it.
public enum ConnectionCloseReason: String, Sendable, CaseIterable {
    /// Cleanly: both sides done (``ConnectionDone``).
    case done
    /// `abortConnection()` (``ConnectionAborted``).
    case aborted
    /// The connection was lost: a reset, a read or write error (``ConnectionLost``).
    case lost
    /// Something else closed it: an error thrown by the protocol, a TLS failure, a timeout.
    case failed

    /// The reason `failure` stands for.
    public init(_ failure: Failure) {
        if failure.matches(ConnectionDone.self) {
            self = .done
        } else if failure.matches(ConnectionAborted.self) {
            self = .aborted
        } else if failure.matches(ConnectionLost.self) {
            self = .lost
        } else {
            self = .failed
        }
    }
}
