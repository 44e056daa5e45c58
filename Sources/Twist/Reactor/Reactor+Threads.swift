import TwistCore

extension Reactor {
    /// Runs `body` on the reactor thread, soon. Safe from any thread.
    ///
    /// Every call runs exactly once, in the order the calls were made; a sleeping reactor wakes at
    /// once. Calls made while earlier ones are running wait for the next loop pass, so a thread
    /// that keeps calling cannot starve timers or I/O. Calls made before ``run()`` run once the
    /// reactor runs. An error thrown by `body` is logged.
    public nonisolated func callFromThread(_ body: @escaping @Sendable () throws -> Void) {
        core.inbox.post(.call(body))
    }
}
