import TwistCore

/// Where a ``DatagramPort`` is in its life: serving (connected to one peer or not), stopping (reading
/// has stopped; the socket closes on the next loop pass), or closed.
enum DatagramPortState {
    /// Reading and writing; `peer` is the address it is connected to, if any.
    case serving(peer: Address?)
    /// `stopListening` was called: no reading, no writing; closing on the next loop pass.
    case stopping
    /// The socket is closed and the protocol has heard `stopProtocol`.
    case closed

    /// True while the port reads and writes.
    var isServing: Bool {
        if case .serving = self { return true }
        return false
    }

    /// The connected peer while serving connected, else nil.
    var peer: Address? {
        if case .serving(let peer) = self { return peer }
        return nil
    }
}
