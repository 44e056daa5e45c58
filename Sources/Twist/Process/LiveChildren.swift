import TwistCore

/// A reactor's children that are not yet reaped, and the shutdown grace for them: when the
/// reactor stops, a `before shutdown` trigger waits (at most ``grace`` seconds) for the children
/// still running to exit, so one that was about to is reaped and reported instead of being left a
/// zombie. A child still running after the grace is left alone (neither signalled nor waited for,
/// as in Twisted). Confined to the reactor thread.
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
        let completion = TriggerCompletionSource()
        waiting = completion
        reactor.callLater(Self.grace) { completion.complete() }
        return completion
    }
}
