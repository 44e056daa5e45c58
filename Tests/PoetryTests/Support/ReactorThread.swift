import Foundation
import TwistCore
import Twist

// A minimal copy of TwistTests' reactor-thread helpers (test targets cannot share code).

/// Runs a fresh reactor on a thread of its own; `setup` runs on the reactor thread once it is
/// running and must end, sooner or later, with `try reactor.stop()`. A watchdog stops the reactor
/// after `timeout` seconds so a broken test fails instead of hanging.
///
/// - Returns: true when the test stopped the reactor, false when the watchdog had to.
func runReactor(timeout: Double = 10, _ setup: @escaping @Sendable (Reactor) throws -> Void) async -> Bool {
    let reactor = Reactor()
    let timedOut = PosixMutex(false)
    reactor.callLater(timeout) {
        timedOut.withLock { $0 = true }
        try? reactor.stop()
    }
    reactor.callWhenRunning { try setup(reactor) }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let thread = Thread {
            try? reactor.run()
            // Through the mutex, ThreadSanitizer sees that the test's reads after the await come
            // after everything the reactor thread did (a continuation's resume it cannot see).
            timedOut.withLock { _ in }
            continuation.resume()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    return !timedOut.withLock { $0 }
}

/// A value shared between a test and the reactor thread.
final class Shared<Value: Sendable>: Sendable {
    private let storage: PosixMutex<Value>

    init(_ value: Value) { storage = PosixMutex(value) }

    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    func mutate(_ body: (inout Value) -> Void) {
        storage.withLock { body(&$0) }
    }
}
