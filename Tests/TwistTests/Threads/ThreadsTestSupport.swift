import Twist
import TwistTestSupport

/// Runs `reactor` on a thread of its own; `setup` runs on the reactor thread once it is running and
/// must end with `try reactor.stop()`. Returns true when the test stopped it (not the watchdog).
func runRunning(_ reactor: Reactor, timeout: Double = 20, _ setup: @escaping @Sendable () throws -> Void) async -> Bool {
    reactor.callWhenRunning { try setup() }
    return await !runReactor(reactor, timeout: timeout).timedOut
}
