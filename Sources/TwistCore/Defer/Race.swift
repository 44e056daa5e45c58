/// Fires with the first of `deferreds` to succeed, as its index and value, and cancels every other
/// input exactly once (Twisted's `race`). Results that arrive after that, including the
/// ``CancelledError``s it caused, are dropped silently. If every input fails, fails with a
/// ``FailureGroup`` holding their failures in input order. Cancelling the race cancels every input.
public func race<Value>(_ deferreds: [Deferred<Value>]) -> Deferred<(index: Int, value: Value)> {
    let state = RaceState(inputs: deferreds)
    let winner = Deferred<(index: Int, value: Value)>(canceller: { _ in
        for input in state.inputs { input.cancel() }
    })
    for (index, deferred) in deferreds.enumerated() {
        deferred.observe(handlesFailure: true, "race") { result in
            guard !winner.hasFired else { return }
            switch result {
            case .success(let value):
                try! winner.callback((index, value))
                let losers = state.inputs
                state.inputs = []  // each input's stage holds the state: let go of them now
                for (other, loser) in losers.enumerated() where other != index { loser.cancel() }
            case .failure(let failure):
                if let all = state.failures.record(failure, at: index) {
                    state.inputs = []
                    try! winner.errback(FailureGroup(failures: all))
                }
            }
        }
    }
    return winner
}

/// What the stages of one ``race(_:)`` share: the inputs (until the race is decided) and the
/// failures so far.
private final class RaceState<Value> {
    var inputs: [Deferred<Value>]
    let failures: Collected<Failure>

    init(inputs: [Deferred<Value>]) {
        self.inputs = inputs
        failures = Collected(count: inputs.count)
    }
}
