/// Waits for several Deferreds at once (Twisted's `DeferredList`). Each of Twisted's modes is its own
/// function here, with its own result type.
///
/// Every mode attaches one stage to each input, at the point of its chain where the input is now:
/// stages added to an input before the list shape what the list sees, stages added after see the
/// input's result unchanged. Inputs that have already fired are counted at once. Cancelling the
/// list's Deferred before it fires cancels every input given (the list then fires with whatever
/// the inputs produced). With `consumeErrors`, an input's failure counts as handled once the list
/// has recorded it, so it is not reported as unhandled; without it, the failure still continues
/// down the input's own chain and must be handled there. (Twisted replaces a consumed failure with
/// `None`; a typed chain cannot, so the failure stays but is marked handled.)
public enum DeferredList {
    /// What a ``fireOnOneCallback(_:consumeErrors:)`` list fires with.
    public enum FirstSuccess<Value> {
        /// The first input to succeed: its value and its index.
        case success(Value, index: Int)
        /// Every input failed: their failures, in input order.
        case allFailed([Failure])
    }

    /// Fires once every input has fired, with one `Result` per input in input order, whatever the
    /// order they fired in. Failures do not make the list fail. An empty list fires at once with `[]`.
    public static func all<Value>(
        _ deferreds: [Deferred<Value>], consumeErrors: Bool = false
    ) -> Deferred<[Result<Value, Failure>]> {
        let list = Deferred<[Result<Value, Failure>]>(canceller: cancellingAll(deferreds))
        let state = Collected<Result<Value, Failure>>(count: deferreds.count)
        if deferreds.isEmpty { try! list.callback([]) }
        for (index, deferred) in deferreds.enumerated() {
            deferred.observe(handlesFailure: consumeErrors, "DeferredList.all") { result in
                if let results = state.record(result, at: index), !list.hasFired {
                    try! list.callback(results)
                }
            }
        }
        return list
    }

    /// Fires with the first input to succeed and its index (Twisted's `fireOnOneCallback`). If every
    /// input fails instead, fires once the last has failed with `.allFailed`. An empty list never fires.
    public static func fireOnOneCallback<Value>(
        _ deferreds: [Deferred<Value>], consumeErrors: Bool = false
    ) -> Deferred<FirstSuccess<Value>> {
        let list = Deferred<FirstSuccess<Value>>(canceller: cancellingAll(deferreds))
        let state = Collected<Failure>(count: deferreds.count)
        for (index, deferred) in deferreds.enumerated() {
            deferred.observe(handlesFailure: consumeErrors, "DeferredList.fireOnOneCallback") { result in
                guard !list.hasFired else { return }
                switch result {
                case .success(let value):
                    try! list.callback(.success(value, index: index))
                case .failure(let failure):
                    if let failures = state.record(failure, at: index) {
                        try! list.callback(.allFailed(failures))
                    }
                }
            }
        }
        return list
    }

    /// Fires with every input's value, in input order, once all have succeeded; fails at the first
    /// failure with a ``FirstError`` naming it, without waiting for the others (Twisted's
    /// `fireOnOneErrback`; ``gatherResults(_:consumeErrors:)`` is this mode). An empty list fires at once.
    public static func fireOnOneErrback<Value>(
        _ deferreds: [Deferred<Value>], consumeErrors: Bool = false
    ) -> Deferred<[Value]> {
        let list = Deferred<[Value]>(canceller: cancellingAll(deferreds))
        let state = Collected<Value>(count: deferreds.count)
        if deferreds.isEmpty { try! list.callback([]) }
        for (index, deferred) in deferreds.enumerated() {
            deferred.observe(handlesFailure: consumeErrors, "DeferredList.fireOnOneErrback") { result in
                guard !list.hasFired else { return }
                switch result {
                case .success(let value):
                    if let values = state.record(value, at: index) { try! list.callback(values) }
                case .failure(let failure):
                    try! list.errback(FirstError(failure: failure, index: index))
                }
            }
        }
        return list
    }

    /// A canceller that cancels each of `deferreds` (the array as given now).
    static func cancellingAll<Value, Output>(_ deferreds: [Deferred<Value>]) -> (Deferred<Output>) -> Void {
        { _ in
            for deferred in deferreds { deferred.cancel() }
        }
    }
}

/// Results gathered by index until every slot is filled.
final class Collected<Element> {
    private var slots: [Element?]
    private var remaining: Int

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
        remaining = count
    }

    /// Stores `element` at `index`; returns all elements, in order, once the last slot is filled.
    func record(_ element: Element, at index: Int) -> [Element]? {
        if slots[index] == nil { remaining -= 1 }
        slots[index] = element
        guard remaining == 0 else { return nil }
        return slots.map { $0! }
    }
}
