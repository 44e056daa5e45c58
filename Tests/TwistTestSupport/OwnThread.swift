import Foundation

/// Runs `body`, which may block or recurse deeply, on a new thread of its own and returns its
/// result, without blocking a thread of Swift's cooperative pool (two on a 2-core machine) while
/// it runs.
///
/// - Parameter stackSize: the thread's stack in bytes; Foundation's default when nil. Pass
///   `8 << 20` for a main thread's stack (deep recursion tests).
public func onOwnThread<T: Sendable>(stackSize: Int? = nil, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
    }
}
