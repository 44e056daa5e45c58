import Foundation
public import Logging
import TwistCore
public import Twist

/// How a reactor run on a background thread ended.
public struct ReactorRunOutcome: Sendable {
    /// True when the watchdog had to stop the reactor: the test's own stop never came.
    public let timedOut: Bool
    /// What `run()` threw, if anything.
    public let runError: (any Error)?
}

/// Runs `reactor` on a thread of its own (never on a Swift concurrency pool thread, which a
/// blocking `run()` would take away from every other task) and returns a task that finishes
/// when `run()` returns.
///
/// The thread starts at once, inside this call — not when the returned task first runs: with
/// hundreds of tests queued on the small cooperative pool, a task can wait seconds for a thread,
/// and a reactor started that late would miss its own watchdog.
///
/// A watchdog stops the reactor after `timeout` seconds so a broken test fails instead of
/// hanging; the outcome says whether it had to. Everything the reactor thread did happens before
/// the task's value is read (the outcome is handed over under a mutex, which ThreadSanitizer sees).
///
/// - Parameters:
///   - installSignalHandlers: passed to `run(installSignalHandlers:)`.
///   - stackSize: the reactor thread's stack, 8 MiB (a main thread's) by default.
public func startReactorThread(
    _ reactor: Reactor, timeout: Double = 20, installSignalHandlers: Bool = false, stackSize: Int = 8 << 20
) -> Task<ReactorRunOutcome, Never> {
    let timedOut = PosixMutex(false)
    reactor.callLater(timeout) {
        timedOut.withLock { $0 = true }
        try? reactor.stop()
    }
    // The outcome, and the continuation waiting for it, meet under a pthread mutex (which
    // ThreadSanitizer sees): whichever arrives second completes the hand-off.
    let handOff = PosixMutex(RunHandOff())
    let thread = Thread {
        var runError: (any Error)?
        do {
            try reactor.run(installSignalHandlers: installSignalHandlers)
        } catch {
            runError = error
        }
        let outcome = ReactorRunOutcome(timedOut: timedOut.withLock { $0 }, runError: runError)
        let waiting = handOff.withLock { state -> CheckedContinuation<ReactorRunOutcome, Never>? in
            state.outcome = outcome
            defer { state.waiting = nil }
            return state.waiting
        }
        waiting?.resume(returning: outcome)
    }
    thread.stackSize = stackSize
    thread.start()
    return Task {
        await withCheckedContinuation { (continuation: CheckedContinuation<ReactorRunOutcome, Never>) in
            let finished = handOff.withLock { state -> ReactorRunOutcome? in
                if let outcome = state.outcome { return outcome }
                state.waiting = continuation
                return nil
            }
            if let finished { continuation.resume(returning: finished) }
        }
    }
}

/// Where a reactor thread's outcome meets the task waiting for it.
private struct RunHandOff {
    var outcome: ReactorRunOutcome?
    var waiting: CheckedContinuation<ReactorRunOutcome, Never>?
}

/// Runs `reactor` on a background thread until it stops itself (or the watchdog stops it after
/// `timeout` seconds), and returns how the run ended.
@discardableResult
public func runReactor(_ reactor: Reactor, timeout: Double = 20) async -> ReactorRunOutcome {
    await startReactorThread(reactor, timeout: timeout).value
}

/// Runs a fresh reactor on a thread of its own; `setup` runs on the reactor thread once it is
/// running and must end, sooner or later, with `try reactor.stop()` from inside the reactor.
/// An error `setup` throws is logged by the reactor, which keeps running until the watchdog.
///
/// - Parameters:
///   - timeout: seconds after which the watchdog stops the reactor.
///   - stackSize: the reactor thread's stack.
///   - logger: the reactor's logger (a `LogCapture`'s, say); the reactor's default when nil.
/// - Returns: true when the test stopped the reactor, false when the watchdog had to.
public func runReactor(
    timeout: Double = 10, stackSize: Int = 8 << 20, logger: Logger? = nil,
    _ setup: @escaping @Sendable (Reactor) throws -> Void
) async -> Bool {
    let reactor = logger.map { Reactor(logger: $0) } ?? Reactor()
    reactor.callWhenRunning { try setup(reactor) }
    let outcome = await startReactorThread(reactor, timeout: timeout, stackSize: stackSize).value
    return !outcome.timedOut
}

/// Asks a reactor running on another thread to stop, from the outside (through `callFromThread`,
/// so the stop happens on the reactor thread, on its next pass).
public func stopFromOutside(_ reactor: Reactor) {
    reactor.callFromThread { try reactor.stop() }
}
