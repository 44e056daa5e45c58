import TwistCore

/// A reactor's children that are not yet reaped, and the shutdown grace for them: when the
/// reactor stops, a `before shutdown` trigger first sends each running child what its
/// ``ChildShutdownAction`` says (nothing by default; a signal; a signal then SIGKILL), then waits
/// (at most ``grace`` seconds, longer for a child to be killed: its delay plus the grace) for the
/// children still running to exit, so each that does is reaped and reported instead of being
/// left a zombie. A child still running after that is left alone (not waited for, as in Twisted).
/// Confined to the reactor thread.
final class LiveChildren {
    /// How long shutdown waits for running children to exit, in seconds.
    static let grace = 1.0

    private var children: [ObjectIdentifier: ChildProcess] = [:]
    private var shutdownHooked = false
    /// Completed when the last child is reaped, while shutdown waits.
    private var waiting: TriggerCompletionSource?

    /// Records a child being watched; the first one hooks the shutdown grace into `reactor`.
    func add(_ child: ChildProcess, reactor: Reactor) {
        children[ObjectIdentifier(child)] = child
        guard !shutdownHooked else { return }
        shutdownHooked = true
        reactor.addSystemEventTrigger(.before, .shutdown, waitingFor: { [unowned self, unowned reactor] in
            waitForChildren(reactor)
        })
    }

    /// Forgets a child that was reaped (or given up on at shutdown).
    func remove(_ child: ChildProcess) {
        children[ObjectIdentifier(child)] = nil
        if children.isEmpty, let waiting {
            self.waiting = nil
            waiting.complete()
        }
    }

    private func waitForChildren(_ reactor: Reactor) -> (any TriggerCompletion)? {
        guard !children.isEmpty else { return nil }
        let wait = children.values.map { $0.beginShutdown(grace: Self.grace) }.max() ?? Self.grace
        let completion = TriggerCompletionSource()
        waiting = completion
        reactor.callLater(wait) { completion.complete() }
        return completion
    }
}
