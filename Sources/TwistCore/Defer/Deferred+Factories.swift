/// A Deferred that has already succeeded with `value` (Twisted's `succeed`): callbacks added to it
/// run at once. It behaves exactly like one created unfired and then fired by hand.
@inlinable
public func succeed<Value>(_ value: Value) -> Deferred<Value> {
    let deferred = Deferred<Value>()
    try! deferred.callback(value)
    return deferred
}

/// A Deferred that has already failed with `error` (Twisted's `fail`); the failure records this
/// call's location. Give the value type by context: `let d: Deferred<Int> = fail(MyError())`.
public func fail<Value>(
    _ error: any Error, as type: Value.Type = Value.self, fileID: StaticString = #fileID, line: UInt = #line
) -> Deferred<Value> {
    let deferred = Deferred<Value>()
    try! deferred.errback(error, fileID: fileID, line: line)
    return deferred
}

/// Calls `body` now and always gives back a Deferred (Twisted's `maybeDeferred`): a returned value
/// becomes a succeeded Deferred, a thrown error a failed one (a thrown ``Failure`` is kept as is).
public func maybeDeferred<Value>(_ body: () throws -> Value) -> Deferred<Value> {
    do {
        return succeed(try body())
    } catch {
        let deferred = Deferred<Value>()
        try! deferred.chain.fire(failure: Failure(caught: error))
        return deferred
    }
}

/// Calls `body` now; a returned Deferred is given back as that same Deferred, a thrown error as a
/// failed Deferred (Twisted's `maybeDeferred` with a function returning a Deferred).
public func maybeDeferred<Value>(_ body: () throws -> Deferred<Value>) -> Deferred<Value> {
    do {
        return try body()
    } catch {
        let deferred = Deferred<Value>()
        try! deferred.chain.fire(failure: Failure(caught: error))
        return deferred
    }
}
