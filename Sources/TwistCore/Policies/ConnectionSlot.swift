/// One connection's place under a connection limit: taken when a policy factory builds the
/// connection's protocol, given back exactly once — when the connection is lost, or when the
/// protocol is released without ever being connected (so a protocol built and dropped cannot
/// hold a place for ever).
final class ConnectionSlot {
    private var giveBack: (() -> Void)?

    /// A slot that calls `giveBack` when it is released.
    init(giveBack: @escaping () -> Void) {
        self.giveBack = giveBack
    }

    /// Gives the place back; later calls do nothing.
    func release() {
        let pending = giveBack
        giveBack = nil
        pending?()
    }

    deinit { release() }
}
