// The errors of UDP ports, with Twisted's names where Twisted has one. Twisted raises
// assertions and bare `OSError`s where these are thrown; each is a ``NetworkError`` carrying the
// `errno` when the system reported one.

/// Sending a datagram failed; the datagram is lost (the base of every send error).
open class DatagramSendError: NetworkError, @unchecked Sendable {
    /// "couldn't send the datagram".
    open override var summary: String { "couldn't send the datagram" }
}

/// The datagram is longer than UDP can carry (`EMSGSIZE`; 65,507 bytes of payload over IPv4)
/// (Twisted's `MessageLengthError`).
public final class MessageLengthError: DatagramSendError, @unchecked Sendable {
    /// "message is too long to send".
    public override var summary: String { "message is too long to send" }
}

/// The kernel's send buffer was full (`EAGAIN`, `ENOBUFS`): the datagram was dropped, not
/// queued. UDP promises no delivery; this error makes the loss visible to the sender.
public final class DatagramDroppedError: DatagramSendError, @unchecked Sendable {
    /// "the send buffer is full; the datagram was dropped".
    public override var summary: String { "the send buffer is full; the datagram was dropped" }
}

/// A call the port's state does not allow: writing without an address on a port that is not
/// connected, writing elsewhere or connecting again on a connected one, using a closed port,
/// listening with a protocol that serves another port (Twisted's `AssertionError` and
/// `RuntimeError` for these).
public final class DatagramStateError: NetworkError, @unchecked Sendable {
    /// "the datagram port cannot do that now".
    public override var summary: String { "the datagram port cannot do that now" }
}

/// Joining or leaving a multicast group failed (Twisted's `MulticastJoinError`).
public final class MulticastJoinError: NetworkError, @unchecked Sendable {
    /// The group, as given.
    public let group: String
    /// The interface, as given ("" for the kernel's choice).
    public let interface: String

    /// The error for `group` on `interface`, with the system's reason.
    public init(group: String, interface: String, _ detail: String? = nil, osError: Int32? = nil) {
        self.group = group
        self.interface = interface
        super.init(detail, osError: osError)
    }

    /// "couldn't join or leave multicast group <group> on <interface>".
    public override var summary: String {
        "couldn't join or leave multicast group \(group) on \(interface.isEmpty ? "any interface" : interface)"
    }
}
