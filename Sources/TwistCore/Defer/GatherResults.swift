/// Fires with the values of all `deferreds`, in input order, once every one has succeeded; fails
/// with a ``FirstError`` at the first failure (Twisted's `gatherResults`). Cancelling it cancels
/// every input; it still succeeds if every input's canceller supplies a value.
///
/// - Parameter consumeErrors: when true, an input's failure counts as handled once recorded here.
public func gatherResults<Value>(
    _ deferreds: [Deferred<Value>], consumeErrors: Bool = false
) -> Deferred<[Value]> {
    DeferredList.fireOnOneErrback(deferreds, consumeErrors: consumeErrors)
}
