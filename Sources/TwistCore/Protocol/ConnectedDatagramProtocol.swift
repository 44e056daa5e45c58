/// A ``DatagramProtocol`` for a datagram port connected to one peer when it is made
/// (`connectUNIXDatagram`; Twisted's `ConnectedDatagramProtocol`), which can hear that the
/// connect failed.
///
/// When the connect succeeds the life cycle is a ``DatagramProtocol``'s: `startProtocol`, then
/// `datagramReceived(_:from:)` with the peer as sender, `connectionRefused` when the peer has
/// gone, `stopProtocol`. When it fails (the peer's name is missing, nobody is bound there, the
/// local name cannot be bound), ``connectionFailed(_:)`` is called instead, once, on a later loop
/// pass, and nothing else: the protocol is never attached, and it may be used again.
open class ConnectedDatagramProtocol: DatagramProtocol {
    /// The connect failed; `reason` holds the error: a `ConnectError` (its `osError` says why:
    /// `ENOENT` for a missing path), a `ConnectionRefusedError` when nothing is bound at the name,
    /// a `ConnectBindError` when the local name could not be bound. Does nothing unless overridden.
    open func connectionFailed(_ reason: Failure) {}
}
