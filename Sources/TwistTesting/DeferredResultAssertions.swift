public import Testing
public import TwistCore

// Twisted's `SynchronousTestCase.successResultOf`, `failureResultOf` and `assertNoResult`, for
// Swift Testing: a check that does not hold records an `Issue` at the caller's line instead of
// trapping, and the test goes on. The checks, and what "consumed" means, are those of
// `Deferred.requireSuccessResult()` and its siblings (Deferred+RequireResult.swift).

/// Returns `deferred`'s success value. Records an issue at the caller's location, and returns
/// nil, when it has no result yet (also while paused or waiting on an inner Deferred) or when it
/// holds a failure (the issue names the error's type and where it was made; the failure is
/// consumed, so it is not also reported as unhandled).
///
/// Use `try #require(successResultOf(d))` to stop the test there when it has no value.
@discardableResult
public func successResultOf<Value>(
    _ deferred: Deferred<Value>, sourceLocation: SourceLocation = #_sourceLocation
) -> Value? {
    do {
        return try deferred.requireSuccessResult()
    } catch {
        Issue.record(Comment(rawValue: error.description), sourceLocation: sourceLocation)
        return nil
    }
}

/// Returns `deferred`'s failure, consumed (never reported as unhandled). Records an issue at the
/// caller's location, and returns nil, when it has no result, holds a success, or — when `types`
/// are given — holds a failure whose error is an instance of none of them (the issue names the
/// expected types and the error found, which is consumed all the same).
@discardableResult
public func failureResultOf<Value>(
    _ deferred: Deferred<Value>, _ types: any Error.Type..., sourceLocation: SourceLocation = #_sourceLocation
) -> Failure? {
    do {
        return try deferred.requireFailureResult(matching: types)
    } catch {
        Issue.record(Comment(rawValue: error.description), sourceLocation: sourceLocation)
        return nil
    }
}

/// Returns `deferred`'s failure's error as an `E` (consumed, as ``failureResultOf(_:_:sourceLocation:)``
/// does); records an issue and returns nil when there is no failure of that type.
@discardableResult
public func failureResultOf<Value, E: Error>(
    _ deferred: Deferred<Value>, as type: E.Type, sourceLocation: SourceLocation = #_sourceLocation
) -> E? {
    do {
        return try deferred.requireFailureResult(matching: [E.self]).check(E.self)
    } catch {
        Issue.record(Comment(rawValue: error.description), sourceLocation: sourceLocation)
        return nil
    }
}

/// Passes when `deferred` has no result yet, adding nothing to it, so a result that arrives later
/// flows on untouched. Records an issue at the caller's location when it has one: a success stays
/// in the Deferred; a failure is consumed (the issue names it; it is not reported as unhandled).
public func assertNoResult<Value>(_ deferred: Deferred<Value>, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try deferred.requireNoResult()
    } catch {
        Issue.record(Comment(rawValue: error.description), sourceLocation: sourceLocation)
    }
}
