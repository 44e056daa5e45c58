extension Deferred: CustomStringConvertible {
    /// "Deferred<T>", then its state: "current result: …", "waiting on another Deferred", "paused",
    /// or nothing while unfired (Twisted's `repr`).
    public var description: String {
        var text = "Deferred<\(Value.self)>"
        if chain.waitingOn != nil {
            text += " (waiting on another Deferred)"
        } else if let value = chain.storedValueAsAny() {
            text += " (current result: \(value))"
        } else if let failure = chain.failure {
            text += " (current result: \(failure))"
        }
        if chain.pauseCount > 0 { text += " (paused)" }
        return text
    }
}
