extension Deferred: CustomStringConvertible {
    /// "Deferred<T>", then its state: "current result: …", "waiting on another Deferred", "paused",
    /// or nothing while unfired (Twisted's `repr`).
    public var description: String {
        var text = "Deferred<\(Value.self)>"
        if chain.waitingOn != nil {
            text += " (waiting on another Deferred)"
        } else if let result = chain.result {
            switch result {
            case .success(let value): text += " (current result: \(value))"
            case .failure(let failure): text += " (current result: \(failure))"
            case .waiting: break
            }
        }
        if chain.pauseCount > 0 { text += " (paused)" }
        return text
    }
}
