import Foundation
import Logging
import TwistCore
import Twist

/// How a reactor run on a background thread ended.
struct ReactorRunOutcome: Sendable {
    /// True when the watchdog had to stop the reactor: the test's own stop never came.
    let timedOut: Bool
    /// What `run()` threw, if anything.
    let runError: (any Error)?
}

/// Runs `reactor` on a thread of its own (never on a Swift concurrency pool thread, which a
/// blocking `run()` would take away from every other task) and returns a task that finishes
/// when `run()` returns.
///
/// A watchdog stops the reactor after `timeout` seconds so a broken test fails instead of
/// hanging; the outcome says whether it had to.
func startReactorThread(
    _ reactor: Reactor, timeout: Double = 20, installSignalHandlers: Bool = false, stackSize: Int = 8 << 20
) -> Task<ReactorRunOutcome, Never> {
    let timedOut = PosixMutex(false)
    reactor.callLater(timeout) {
        timedOut.withLock { $0 = true }
        try? reactor.stop()
    }
    // The outcome also passes through a pthread mutex: ThreadSanitizer cannot see that resuming a
    // continuation orders what the reactor thread did before it with what the test reads after
    // the await, but it sees a mutex. (The test then reads reactor-confined objects safely.)
    let handOff = PosixMutex<ReactorRunOutcome?>(nil)
    return Task {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                var runError: (any Error)?
                do {
                    try reactor.run(installSignalHandlers: installSignalHandlers)
                } catch {
                    runError = error
                }
                let outcome = ReactorRunOutcome(timedOut: timedOut.withLock { $0 }, runError: runError)
                handOff.withLock { $0 = outcome }
                continuation.resume()
            }
            thread.stackSize = stackSize
            thread.start()
        }
        return handOff.withLock { $0! }
    }
}

/// Runs `reactor` on a background thread until it stops itself (or the watchdog stops it).
@discardableResult
func runReactor(_ reactor: Reactor, timeout: Double = 20) async -> ReactorRunOutcome {
    await startReactorThread(reactor, timeout: timeout).value
}

/// Runs a fresh reactor on a thread of its own; `setup` runs on the reactor thread once it is
/// running and must end, sooner or later, with `try reactor.stop()` from inside the reactor.
///
/// - Returns: true when the test stopped the reactor, false when the watchdog had to.
func runReactor(
    timeout: Double = 10, stackSize: Int = 8 << 20, logger: Logger? = nil,
    _ setup: @escaping @Sendable (Reactor) throws -> Void
) async -> Bool {
    let reactor = logger.map { Reactor(logger: $0) } ?? Reactor()
    reactor.callWhenRunning { try setup(reactor) }
    let outcome = await startReactorThread(reactor, timeout: timeout, stackSize: stackSize).value
    return !outcome.timedOut
}

/// Asks a reactor running on another thread to stop, from the outside.
func stopFromOutside(_ reactor: Reactor) {
    reactor.callFromThread { try reactor.stop() }
}

/// A value shared between a test and the reactor thread: set on one, read on the other.
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
