/// A protocol that takes descriptors passed over a UNIX socket (Twisted's
/// `IFileDescriptorReceiver`).
///
/// For each read, the transport first calls ``fileDescriptorReceived(_:)`` once per descriptor
/// that arrived with it, in order, then `dataReceived` with the read's bytes. A protocol that is
/// not a receiver has such descriptors closed at once (the bytes are still delivered).
public protocol FileDescriptorReceiver: AnyObject {
    /// A descriptor arrived from the peer. It is close-on-exec and belongs to the protocol, which
    /// must close it.
    func fileDescriptorReceived(_ descriptor: Int32)
}
