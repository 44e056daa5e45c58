public import TwistCore

/// The checks behind ``successResultOf(_:sourceLocation:)``, ``failureResultOf(_:_:sourceLocation:)``
/// and ``assertNoResult(_:sourceLocation:)`` (Twisted's `SynchronousTestCase` helpers), as throwing
/// methods for code that does not use Swift Testing.
///
/// A Deferred "has a result" here when a stage added now would run at once: it has fired and is
/// neither paused nor waiting on a Deferred one of its stages returned. None of these methods adds
/// a stage when there is no result, so a result that arrives later flows on untouched.
///
/// **Consuming.** A failure these methods find is *consumed*: it is handed to a chain of theirs
/// and handled there, so it is never reported as an unhandled error, whether the check passed or
/// not (Twisted: the Deferred then holds None). The typed chain cannot hold "nothing", so unlike
/// in Twisted the failure stays the Deferred's current result, marked handled: a stage added
/// afterwards still sees it, and rethrowing it there makes it count as unhandled again. A success
/// is left as it is.
extension Deferred {
    /// Returns the Deferred's success value.
    ///
    /// - Throws: ``DeferredResultError/noResult`` when it has no result;
    ///   ``DeferredResultError/failed(_:)`` (after consuming the failure) when it holds a failure.
    public func requireSuccessResult() throws(DeferredResultError) -> Value {
        switch try currentOutcome() {
        case .success(let value): return value
        case .failure(let failure): throw .failed(failure)
        }
    }

    /// Returns the Deferred's failure, consumed, when its error is an instance of one of `types`
    /// (any failure when `types` is empty).
    ///
    /// - Throws: ``DeferredResultError/noResult`` when it has no result,
    ///   ``DeferredResultError/succeeded(_:)`` when it holds a success, and
    ///   ``DeferredResultError/wrongFailure(_:expected:)`` (the failure consumed all the same) when
    ///   the error matches none of `types`.
    @discardableResult
    public func requireFailureResult(_ types: any Error.Type...) throws(DeferredResultError) -> Failure {
        try requireFailureResult(matching: types)
    }

    /// ``requireFailureResult(_:)`` with the expected types as an array.
    @discardableResult
    public func requireFailureResult(matching types: [any Error.Type]) throws(DeferredResultError) -> Failure {
        switch try currentOutcome() {
        case .success(let value):
            throw .succeeded(String(describing: value))
        case .failure(let failure):
            guard types.isEmpty || types.contains(where: { failure.matches($0) }) else {
                throw .wrongFailure(failure, expected: types)
            }
            return failure
        }
    }

    /// Returns when the Deferred has no result, and leaves it alone.
    ///
    /// - Throws: ``DeferredResultError/unexpectedResult(_:)`` when it holds a result: a success
    ///   stays in it, a failure is consumed.
    public func requireNoResult() throws(DeferredResultError) {
        guard let outcome = currentResultIfReady else { return }
        switch outcome {
        case .success(let value): throw .unexpectedResult(.success(String(describing: value)))
        case .failure(let failure):
            consumeFailure()
            throw .unexpectedResult(.failure(failure))
        }
    }

    /// The current result, with a failure consumed.
    ///
    /// - Throws: ``DeferredResultError/noResult`` when there is none.
    private func currentOutcome() throws(DeferredResultError) -> Result<Value, Failure> {
        guard let outcome = currentResultIfReady else { throw .noResult }
        if case .failure = outcome { consumeFailure() }
        return outcome
    }

    /// The current result when a stage added now would get it; nil while unfired, paused or waiting.
    private var currentResultIfReady: Result<Value, Failure>? {
        guard !isPaused, !isWaiting else { return nil }
        return currentResult
    }

    /// Hands the chain's failure to a throwaway chain that handles it. A chain whose result was
    /// handed to another chain does not report it as unhandled (see ``Deferred``), and the
    /// hand-over of a fired, unpaused chain happens at once.
    private func consumeFailure() {
        let handedOver = self
        _ = succeed(()).addCallback { () -> Deferred<Value> in handedOver }.addBoth { _ in }
    }
}
