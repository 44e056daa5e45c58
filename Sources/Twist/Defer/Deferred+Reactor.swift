public import TwistCore

extension Deferred {
    /// Runs `body` as a task on `reactor`'s executor and fires with what it returns or throws (the
    /// Swift spelling of Twisted's `ensureDeferred` / `Deferred.fromCoroutine`).
    ///
    /// The body starts on the reactor thread at the reactor's next turn, and every `await` in it
    /// resumes there. ``Deferred/cancel()`` cancels the task: the `await` it is suspended at (for
    /// example on another Deferred's ``Deferred/value(isolation:)``, which cancels that Deferred)
    /// throws, and the Deferred fires only when the body has finished — with its value if the body
    /// caught the cancellation and went on, otherwise with its error. A `CancellationError` thrown out
    /// of a cancelled body becomes ``CancelledError``.
    ///
    /// Twist differs from Twisted here: the body does not run synchronously inside this call, so
    /// even a body that never suspends fires the Deferred on a later turn of the reactor.
    ///
    /// - Precondition: called on the reactor thread, or before the reactor runs (the body may then
    ///   capture reactor-confined state, which it only touches on the reactor thread).
    public init(on reactor: Reactor, _ body: @escaping (isolated Reactor) async throws -> Value) {
        precondition(
            reactor.isInReactorThread || !reactor.isRunning,
            "Deferred(on:) must be called on the reactor's thread"
        )
        let handle = TaskHandle()
        self.init(producerCancelledBy: { handle.task?.cancel() })
        let work = UncheckedTransfer((self, body))
        handle.task = Task { await runBody(work, on: reactor) }
    }
}

/// Runs the body of a ``Deferred/init(on:_:)`` on the reactor and fires its Deferred.
private func runBody<Value>(
    _ work: UncheckedTransfer<(Deferred<Value>, (isolated Reactor) async throws -> Value)>,
    on reactor: isolated Reactor
) async {
    let (deferred, body) = work.value
    do {
        deferred.resolve(.success(try await body(reactor)))
    } catch is CancellationError {
        deferred.resolve(.failure(CancelledError()))
    } catch {
        deferred.resolve(.failure(error))
    }
}

/// The task behind a ``Deferred/init(on:_:)``, for its canceller.
private final class TaskHandle {
    var task: Task<Void, Never>?
}
