import TwistCore

/// The accepting side of a ``GroupListeningStrategy/handOff`` listener: the accepting port asks it,
/// for each accepted descriptor, whether another reactor serves it, and if so sends it there.
/// Round robin over the group's reactors, the accepting one included (its turns it serves itself).
///
/// Confined to the accepting reactor's thread; the only cross-thread step is the receiving
/// reactor's `callFromThread` (one per connection).
final class ConnectionHandOff {
    /// One per reactor, in the group's order; nil for the accepting reactor itself.
    private let targets: [GroupPortMemberHandle?]
    private var turn = 0

    init(targets: [GroupPortMemberHandle?]) {
        precondition(!targets.isEmpty, "a hand-off needs at least one reactor")
        self.targets = targets
    }

    /// Sends `fd` to the next reactor and returns true, or returns false when the next turn is the
    /// accepting reactor's own (the port then serves it as usual).
    func handOff(_ fd: Int32, peer: Address, portAddress: Address) -> Bool {
        let target = targets[turn]
        turn = turn + 1 == targets.count ? 0 : turn + 1
        guard let target else { return false }
        target.deliver(HandedOffDescriptor(fd: fd, peer: peer, portAddress: portAddress))
        return true
    }
}
