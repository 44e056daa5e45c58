public import TwistCore

extension Deferred {
    /// Runs `body` as a task on `reactor`'s executor and fires with what it returns or throws (the
    /// Swift spelling of Twisted's `ensureDeferred` / `Deferred.fromCoroutine`).
    ///
    /// Called on the reactor thread, the body starts at once, inside this call, and runs until its
    /// first real suspension (as Twisted's `ensureDeferred` does), so a body that never suspends has
    /// fired the Deferred when this returns. Called before the reactor runs, it starts on the
    /// reactor's first turn. Every `await` in it resumes on the reactor thread (the body is
    /// `nonisolated(nonsending)`: it inherits the reactor isolation it is called from, and
    /// ``Deferred/value()`` inside it resumes on the reactor too). A plain `async` closure
    /// made *inside* the body (say, for `withValue`) does not inherit it and runs on the global
    /// executor; use the form whose body takes an `isolated Reactor` for that.
    /// ``Deferred/cancel()`` cancels the task: the `await` it is suspended at (for example a
    /// `value()`, which then cancels the Deferred it awaits) throws, and this Deferred fires only
    /// when the body has finished — with its value if the body caught the cancellation and went on,
    /// otherwise with its error. A `CancellationError` thrown out of the body becomes
    /// ``CancelledError``.
    ///
    /// Written in main-actor code (top-level code in `main.swift`), the body is main-actor
    /// isolated and runs on the main actor; a reactor running on the main thread serves the main
    /// actor's queue, so the body still runs on that thread while the reactor runs.
    ///
    /// - Precondition: called on the reactor thread, or before the reactor runs. The body may
    ///   capture reactor-confined state (Deferreds, protocols): it only runs on the reactor thread.
    /// - Warning: with Swift 6.3, a closure literal with a capture list (`{ [self] in ... }`) is
    ///   typed as concurrent and loses the reactor's isolation: it runs on the global pool. Write
    ///   `self.` instead, or use the form whose body takes an `isolated Reactor`.
    public init(on reactor: Reactor, _ body: nonisolated(nonsending) @escaping () async throws -> Value) {
        self.init(on: reactor, work: .inheriting(body))
    }

    /// Runs `body` as a task isolated to `reactor` and fires with what it returns or throws; the
    /// same as the parameterless form except that the body gets the reactor as an `isolated`
    /// parameter.
    ///
    /// Prefer this form when the body forms closures of its own that await (a `withValue` scope, a
    /// `withTaskGroup` child): closures made inside an `isolated Reactor` context are isolated to the
    /// reactor too, whereas a plain `async` closure made inside the parameterless form runs on the
    /// global executor. What the body captures must then be `Sendable` or sent into it.
    public init(on reactor: Reactor, _ body: @escaping (isolated Reactor) async throws -> Value) {
        self.init(on: reactor, work: .isolated(body))
    }

    private init(on reactor: Reactor, work body: ReactorBody<Value>) {
        precondition(
            reactor.isInReactorThread || !reactor.isRunning,
            "Deferred(on:) must be called on the reactor's thread"
        )
        let handle = TaskHandle()
        self.init(producerCancelledBy: { handle.task?.cancel() })
        let work = PendingWork(self, body)
        if reactor.isInReactorThread {
            // Start at once, like Twisted's ensureDeferred: a body that never suspends has fired
            // the Deferred by the time this returns.
            handle.task = reactor.assumeIsolated { reactor in
                Task.immediate { await runBody(work, on: reactor) }
            }
        } else {
            handle.task = Task { await runBody(work, on: reactor) }
        }
    }
}

/// Runs the body of a ``Deferred/init(on:_:)`` on the reactor and fires its Deferred.
private func runBody<Value>(_ work: PendingWork<Value>, on reactor: isolated Reactor) async {
    // Take the reactor-confined parts out here, so they are released on the reactor thread too.
    guard let (deferred, body) = work.take() else { return }
    do {
        switch body {
        case .inheriting(let body): deferred.resolve(.success(try await body()))
        case .isolated(let body): deferred.resolve(.success(try await body(reactor)))
        }
    } catch is CancellationError {
        deferred.resolve(.failure(CancelledError()))
    } catch {
        deferred.resolve(.failure(error))
    }
}

/// The Deferred and body of a ``Deferred/init(on:_:)``, handed from the creating call to the task.
///
/// Unchecked `Sendable`: it is filled on the reactor thread (or before the reactor runs) and
/// emptied by the task on the reactor thread; the enqueueing of the task orders the two. Only the
/// empty box is released elsewhere.
private final class PendingWork<Value>: @unchecked Sendable {
    private var contents: (Deferred<Value>, ReactorBody<Value>)?

    init(_ deferred: Deferred<Value>, _ body: ReactorBody<Value>) {
        contents = (deferred, body)
    }

    func take() -> (Deferred<Value>, ReactorBody<Value>)? {
        defer { contents = nil }
        return contents
    }
}

/// The two shapes of a ``Deferred/init(on:_:)`` body.
private enum ReactorBody<Value> {
    /// Inherits the isolation it is called from (the reactor's).
    case inheriting(_ body: nonisolated(nonsending) () async throws -> Value)
    /// Isolated to the reactor it is given.
    case isolated(_ body: (isolated Reactor) async throws -> Value)
}

/// The task behind a ``Deferred/init(on:_:)``, for its canceller.
private final class TaskHandle {
    var task: Task<Void, Never>?
}
