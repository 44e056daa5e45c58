import Synchronization
import TwistCore

/// An accepted connection's descriptor on its way from the accepting reactor to the one that will
/// serve it. It owns the descriptor until ``take()``: if it is dropped untaken (the receiving
/// reactor stopped before its inbox ran), it closes the descriptor, so no socket leaks.
final class HandedOffDescriptor: Sendable {
    /// The peer's address, as `accept` reported it.
    let peer: Address
    /// The listening port's address (a UNIX connection reports it as its host).
    let portAddress: Address
    private let descriptor: Atomic<Int32>

    init(fd: Int32, peer: Address, portAddress: Address) {
        self.descriptor = Atomic(fd)
        self.peer = peer
        self.portAddress = portAddress
    }

    /// Takes the descriptor (the caller owns it now); -1 if it was taken already.
    func take() -> Int32 {
        descriptor.exchange(-1, ordering: .acquiringAndReleasing)
    }

    deinit {
        let fd = descriptor.load(ordering: .acquiring)
        if fd >= 0 { Sockets.close(fd) }
    }
}
