/// `callback` or `errback` was called on a ``Deferred`` that has already fired
/// (Twisted's `defer.AlreadyCalledError`). It is thrown to the second caller; the chain is unaffected.
///
/// When the Deferred was debugged at the second fire (see ``Deferred/setDebugging(_:)`` and
/// ``Deferred/debug``), ``debugTracebacks`` holds the stacks it recorded: where it was created and
/// who fired it first, never the second caller.
public struct AlreadyCalledError: Error, Equatable, CustomStringConvertible {
    /// The Deferred's recorded stacks, as Twisted puts them in the error's message: a line
    /// " C: Deferred was created:" and the creator's frames, each line prefixed " C:", then
    /// " I: First Invoker was:" and the first invoker's frames, prefixed " I:". A section is missing
    /// when its stack was not recorded (the text is empty when neither was). Nil when the Deferred
    /// was not debugged at the second fire.
    public let debugTracebacks: String?

    /// Creates the error, with the recorded stacks when the Deferred was debugged.
    public init(debugTracebacks: String? = nil) {
        self.debugTracebacks = debugTracebacks
    }

    /// A one-line explanation of the error, for logs and test output, followed on the next lines by
    /// ``debugTracebacks`` when there are any.
    public var description: String {
        let summary = "the Deferred has already been fired"
        guard let debugTracebacks, !debugTracebacks.isEmpty else { return summary }
        return "\(summary)\n\(debugTracebacks)"
    }
}
