// Why these overloads exist (issue 21, finding 3).
//
// A Deferred is one chain seen through typed handles. A stage that keeps the chain's type leaves
// every handle valid; a stage that *changes* the type makes the old handle stale, and the Python habit
//
//     d.addCallback(gotPoem)        // (String) -> Void: the chain is now Deferred<Void>
//     d.addBoth { _ in stop() }     // `d` is still Deferred<String>
//
// used to trap at run time. The type-changing forms in `Deferred+Chaining.swift` are therefore not
// `@discardableResult`: dropping the handle they return is a compile-time warning ("result of call
// to 'addCallback' is unused") at the very line where the habit goes wrong, and the fix is to keep
// the new handle (`let poem = d.addCallback(gotPoem)`), chain the calls, or end a chain on purpose
// with `_ =`. Only `addErrback` (which never changes the type) and the forms below may be dropped:
// on a `Deferred<Void>` a stage that returns nothing keeps the chain's type.
//
// Why not also a discardable same-type form for every `Value` (`(Value) -> Value`)? For a closure
// of several statements with no `return`, Swift cannot choose between it and the `Void` form
// (it checks a missing `return` only after choosing), so `d.addBoth { r in log(r); stop() }`
// became ambiguous; same-type statement chains on non-Void Deferreds therefore chain or use `_ =`.

extension Deferred where Value == Void {
    /// On a `Deferred<Void>`, a callback returning nothing keeps the chain's type, so its result
    /// may be ignored (this form is chosen over the general ones, which would be ambiguous here).
    ///
    /// - Returns: the same Deferred.
    @inlinable @inline(__always) @discardableResult
    public func addCallback(_ callback: @escaping (Value) throws -> Void) -> Deferred<Void> {
        addStage("addCallback", {
            CallbackStage<Void, Void>.apply($0, callback)
            return true
        }) {
            CallbackStage<Void, Void>.queued(callback)
        }
    }

    /// On a `Deferred<Void>`, a body returning nothing keeps the chain's type, so its result may be
    /// ignored.
    ///
    /// - Returns: the same Deferred.
    @inlinable @inline(__always) @discardableResult
    public func addBoth(_ body: @escaping (Result<Void, Failure>) throws -> Void) -> Deferred<Void> {
        addStage("addBoth", {
            BothStage<Void, Void>.apply($0, body)
            return true
        }) {
            BothStage<Void, Void>.queued(body)
        }
    }

    /// On a `Deferred<Void>`, a callback/errback pair returning nothing keeps the chain's type, so
    /// its result may be ignored.
    ///
    /// - Returns: the same Deferred.
    @inlinable @inline(__always) @discardableResult
    public func addCallbacks(
        _ callback: @escaping (Value) throws -> Void,
        _ errback: @escaping (Failure) throws -> Void
    ) -> Deferred<Void> {
        addStage("addCallbacks", {
            ValueStage<Void, Void>.apply($0, callback, errback)
            return true
        }) {
            ValueStage<Void, Void>.queued(callback, errback)
        }
    }
}
