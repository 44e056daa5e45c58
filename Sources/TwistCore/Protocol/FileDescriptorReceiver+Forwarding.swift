internal import Glibc
import Logging

extension Protocol {
    /// Hands a descriptor that arrived for a layer (a ``ProtocolWrapper``, an endpoint's
    /// connection protocol) on to the protocol it carries, `inner`, when that one takes
    /// descriptors; otherwise — not a ``FileDescriptorReceiver``, or gone — closes it and logs a
    /// warning, as the transport does for a protocol that takes none. So a descriptor never leaks
    /// through a layer, and a layer never makes a protocol look like a receiver when it is not.
    package static func forwardFileDescriptor(_ descriptor: Int32, to inner: Protocol?, from layer: Protocol) {
        if let taker = inner as? any FileDescriptorReceiver {
            taker.fileDescriptorReceived(descriptor)
            return
        }
        _ = Glibc.close(descriptor)
        Logger(label: "twist.protocol").warning(
            "closed a descriptor passed to a protocol that takes none",
            metadata: ["protocol": "\(inner?.logPrefix ?? layer.logPrefix)"]
        )
    }
}
