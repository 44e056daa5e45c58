/// What a Deferred records for debugging (Twisted's `DebugInfo`): where it was created, where it was
/// first fired from, and its own ``Deferred/debug`` setting. A chain has one only if it was created
/// while debugging was on or its `debug` was set, so an ordinary chain pays one nil reference.
@usableFromInline
final class DeferredDebugInfo {
    /// The Deferred's own `debug` setting; nil follows ``Deferred/isDebugging``.
    var override: Bool?

    /// Where the Deferred was created, when debugging was on then.
    var creator: DeferredCallStack?

    /// Where the Deferred was fired from the first time, when its debugging was on then. A later
    /// fire never replaces it (the second caller gets the error, and is not named in it).
    var invoker: DeferredCallStack?

    init(creator: DeferredCallStack? = nil) {
        self.creator = creator
    }

    /// The record for a chain being created: nil while debugging is off (one relaxed load and a
    /// branch), otherwise one holding the creator's stack (Twisted records `format_stack()` in
    /// `Deferred.__init__` when `self.debug` is true).
    @inline(__always)
    static func forNewChain() -> DeferredDebugInfo? {
        DeferredDebugSwitch.isOn ? recordingCreation() : nil
    }

    /// A record holding the stack of the chain being created.
    @inline(never)
    static func recordingCreation() -> DeferredDebugInfo {
        DeferredDebugInfo(creator: DeferredCallStack.capture())
    }

    /// True when the Deferred is debugged now: its own setting, or else the process-wide default.
    var isOn: Bool {
        override ?? DeferredDebugSwitch.isOn
    }

    /// The recorded stacks as text, as Twisted words them: " C: Deferred was created:" and the
    /// creator's frames, then " I: First Invoker was:" and the invoker's frames, every line
    /// prefixed with " C:" or " I:" and ended by a newline. A section is left out when its stack was
    /// not recorded, so the text is empty when neither was. Symbolicates the stacks (slow: for error
    /// messages and logs only).
    func tracebacks() -> String {
        var text = ""
        if let creator {
            text += Self.section(prefix: " C:", heading: "Deferred was created:", lines: creator.lines())
        }
        if let invoker {
            text += Self.section(prefix: " I:", heading: "First Invoker was:", lines: invoker.lines())
        }
        return text
    }

    /// A heading and the lines under it, each prefixed with `prefix` and ended by a newline.
    private static func section(prefix: String, heading: String, lines: [String]) -> String {
        var text = "\(prefix) \(heading)\n"
        for line in lines {
            text += "\(prefix)\(line)\n"
        }
        return text
    }
}
