extension Deferred {
    /// Waits for the Deferred's result: returns its value, or throws the error of its failure (the
    /// original error value, not a wrapper). The Swift spelling of Twisted's `await d` / `yield d`.
    ///
    /// - If the chain already has a result and is not paused or waiting, returns at once, without
    ///   suspending.
    /// - Otherwise adds a stage that resumes the caller when the result arrives. The caller resumes
    ///   on its own isolation (the function is `nonisolated(nonsending)`: it runs on the caller's
    ///   actor, with no executor switch on the way in): code isolated to the reactor resumes on the
    ///   reactor thread.
    /// - A failure delivered here counts as handled: it is not reported as unhandled afterwards.
    /// - If the awaiting task is cancelled, the Deferred is cancelled (on `isolation`'s executor);
    ///   its result, typically ``CancelledError``, is then thrown here.
    ///
    /// Call it from the Deferred's own isolation (the reactor, or the actor that owns it). From a
    /// nonisolated context the resume happens wherever the Deferred fires.
    @inlinable @inline(__always)
    public nonisolated(nonsending) func value() async throws -> Value {
        chain.requireCurrent(Value.self, "value()")
        if chain.canRunInline {
            if chain.state == .success { return chain.peekValue(Value.self) }
            chain.resultHandedOff = true
            throw chain.failure.unsafelyUnwrapped.error
        }
        return try await suspendForValue(isolation: #isolation)
    }

    /// The slow path of ``value()``.
    ///
    /// When the caller's isolation is also a `TaskExecutor` (the reactor is), the wait runs with
    /// that executor as the task's executor preference. The Swift runtime resumes a continuation
    /// on the task's *task* executor, never on the isolation it was created in (a continuation's
    /// `ResumeToExecutor` is the generic executor), so without a preference the task would wake
    /// on the global pool and hop back to the reactor across threads; with it, it is enqueued on
    /// the reactor from the reactor thread. The preference is taken only here, where the task
    /// suspends anyway, so code that never suspends still runs straight through.
    @inlinable
    func suspendForValue(isolation: isolated (any Actor)?) async throws -> Value {
        if let executor = isolation as? any TaskExecutor {
            return try await withTaskExecutorPreference(executor, isolation: isolation) {
                try await suspendUntilFired(isolation: isolation)
            }
        }
        return try await suspendUntilFired(isolation: isolation)
    }

    /// Adds the stage that resumes the caller, and cancels the chain if the awaiting task is
    /// cancelled. Inlinable, so that it is specialized for `Value` in the caller: unspecialized, it
    /// looked up the generic metadata of its continuation and stage on every suspension.
    @inlinable
    func suspendUntilFired(isolation: isolated (any Actor)?) async throws -> Value {
        let slot = ChainSlot(chain)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation(isolation: isolation) {
                (continuation: CheckedContinuation<UncheckedTransfer<Result<Value, Failure>>, Never>) in
                observe(handlesFailure: true, "value()") { result in
                    continuation.resume(returning: UncheckedTransfer(result))
                }
                if Task.isCancelled { chain.cancel() }
            }
        } onCancel: {
            Task { await cancelChain(in: slot, on: isolation) }
        }
        switch result.value {
        case .success(let value): return value
        case .failure(let failure): throw failure.error
        }
    }
}

/// Cancels the chain in `slot` on the executor of `actor`, where the chain lives, and takes it out
/// of the slot there, so the chain is never released on another thread.
@usableFromInline
func cancelChain(in slot: ChainSlot, on actor: isolated (any Actor)?) async {
    slot.take()?.cancel()
}

/// Hands a chain to the task that cancels it. Unchecked `Sendable`: it is filled and emptied on the
/// chain's own isolation; other threads only hold (and release) the slot, never the chain.
@usableFromInline
final class ChainSlot: @unchecked Sendable {
    private var chain: DeferredChain?

    @usableFromInline
    init(_ chain: DeferredChain) {
        self.chain = chain
    }

    @usableFromInline
    func take() -> DeferredChain? {
        defer { chain = nil }
        return chain
    }
}

/// Carries a value across an isolation boundary that is safe for a reason the compiler cannot see:
/// the value is only used on the one thread (or actor) it is confined to — a Deferred's result
/// handed back to its awaiting task, or a reactor-confined object taken on a thread hop that ends
/// back on the reactor thread (a connector's name lookup). The package's one such box.
@usableFromInline
package struct UncheckedTransfer<T>: @unchecked Sendable {
    @usableFromInline package let value: T
    @usableFromInline package init(_ value: T) { self.value = value }
}
