/// Fires with the first of `deferreds` to succeed, as its index and value, and cancels every other
/// input exactly once (Twisted's `race`). Results that arrive after that, including the
/// ``CancelledError``s it caused, are dropped silently. If every input fails, fails with a
/// ``FailureGroup`` holding their failures in input order. Cancelling the race cancels every input.
public func race<Value>(_ deferreds: [Deferred<Value>]) -> Deferred<(index: Int, value: Value)> {
    let winner = Deferred<(index: Int, value: Value)>(canceller: DeferredList.cancellingAll(deferreds))
    let failures = Collected<Failure>(count: deferreds.count)
    for (index, deferred) in deferreds.enumerated() {
        deferred.observe(handlesFailure: true, "race") { result in
            guard !winner.hasFired else { return }
            switch result {
            case .success(let value):
                try! winner.callback((index, value))
                for (other, loser) in deferreds.enumerated() where other != index { loser.cancel() }
            case .failure(let failure):
                if let all = failures.record(failure, at: index) {
                    try! winner.errback(FailureGroup(failures: all))
                }
            }
        }
    }
    return winner
}
