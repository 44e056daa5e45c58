import TwistCore

/// One `runInThread` call: the awaiting task's continuation and where the work is, as one state
/// machine shared by the awaiting task (cancellation), the pool (start, result) and the caller.
///
/// ```
/// unattached ──attach──▶ queued ──worker starts──▶ running ──body returns──▶ done(result)
///     │                    │                          │
///     │cancel              │cancel: resume now with   │cancel: token set; resume with
///     ▼                    │CancellationError, the    ▼CancellationError once the body returns
/// cancelledEarly           │body never runs        cancelledRunning ──body returns──▶ done
///   └─attach: resume now───┴──────────────────────────────────────────────────────▶ done
/// ```
///
/// The continuation is resumed exactly once, outside the lock. Thread-safe.
final class CancellableThreadWork<Value: Sendable>: Sendable {
    typealias Continuation = CheckedContinuation<Value, any Error>

    private enum Phase {
        case unattached
        case cancelledEarly
        case queued(Continuation)
        case running(Continuation)
        case cancelledRunning(Continuation)
        case done
    }

    private let phase = PosixMutex(Phase.unattached)

    /// The token the body sees: cancelled once the awaiting task is, while the body runs.
    var cancellation: ThreadWorkCancellation {
        ThreadWorkCancellation { [self] in
            phase.withLock { phase in
                if case .cancelledRunning = phase { return true }
                if case .cancelledEarly = phase { return true }
                return false
            }
        }
    }

    /// Hands over the continuation. Returns true when the work should be submitted; false when
    /// the task was already cancelled (the continuation is then resumed with CancellationError).
    func attach(_ continuation: Continuation) -> Bool {
        let cancelled = phase.withLock { phase -> Bool in
            guard case .unattached = phase else {
                phase = .done
                return true
            }
            phase = .queued(continuation)
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    /// The awaiting task was cancelled: queued work is dropped and its caller resumed now;
    /// running work sees the token set, and its caller resumes when the body returns.
    func cancel() {
        let resumeNow = phase.withLock { phase -> Continuation? in
            switch phase {
            case .unattached:
                phase = .cancelledEarly
            case .queued(let continuation):
                phase = .done
                return continuation
            case .running(let continuation):
                phase = .cancelledRunning(continuation)
            case .cancelledEarly, .cancelledRunning, .done:
                break
            }
            return nil
        }
        resumeNow?.resume(throwing: CancellationError())
    }

    /// A worker takes the job: true to run the body, false when the work was cancelled before.
    func begin() -> Bool {
        phase.withLock { phase in
            guard case .queued(let continuation) = phase else { return false }
            phase = .running(continuation)
            return true
        }
    }

    /// The body returned (or threw), or the pool refused or discarded the job: resumes the caller
    /// with `result`, or with CancellationError if the task was cancelled meanwhile; nothing if
    /// the caller has already been resumed.
    func finish(_ result: Result<Value, any Error>) {
        let (continuation, outcome) = phase.withLock { phase -> (Continuation?, Result<Value, any Error>) in
            let current = phase
            phase = .done
            switch current {
            case .queued(let continuation), .running(let continuation):
                return (continuation, result)
            case .cancelledRunning(let continuation):
                return (continuation, .failure(CancellationError()))
            case .unattached, .cancelledEarly, .done:
                return (nil, result)
            }
        }
        continuation?.resume(with: outcome)
    }
}
