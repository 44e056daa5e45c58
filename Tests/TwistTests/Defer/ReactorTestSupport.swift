import Foundation
import Synchronization
import Twist

/// A value a test sets on the reactor thread and reads afterwards.
final class Box<T: Sendable>: Sendable {
    private let storage: Mutex<T>
    init(_ value: T) { storage = Mutex(value) }
    var value: T {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}

/// Runs a fresh reactor on its own thread (never on a Swift Concurrency thread) and waits for it to
/// stop. `setup` runs on the reactor thread once it is running and must end with `try reactor.stop()`
/// from inside the reactor; a watchdog stops it after `timeout` seconds.
///
/// - Returns: true when the test stopped the reactor, false when the watchdog had to.
func runReactor(
    timeout: Double = 10, stackSize: Int = 8 << 20, _ setup: @escaping @Sendable (Reactor) throws -> Void
) async -> Bool {
    let timedOut = Box(false)
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let thread = Thread {
            let reactor = Reactor()
            reactor.callWhenRunning { try setup(reactor) }
            reactor.callLater(timeout) {
                timedOut.value = true
                try reactor.stop()
            }
            try? reactor.run()
            continuation.resume()
        }
        thread.stackSize = stackSize
        thread.start()
    }
    return !timedOut.value
}
