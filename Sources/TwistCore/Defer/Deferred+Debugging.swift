extension Deferred where Value == Void {
    /// Turns Deferred debugging on or off for the whole process (Twisted's `defer.setDebugging`).
    /// Call it as `Deferred.setDebugging(true)`.
    ///
    /// While it is on, every Deferred created records the stack it is created from, and, when it
    /// is first fired while debugging is still on, the stack of that `callback`/`errback` (or
    /// `cancel()`). A second fire made while it is on throws an ``AlreadyCalledError`` whose
    /// ``AlreadyCalledError/debugTracebacks`` show both (lines prefixed " C:" and " I:", never the
    /// second caller), and an unhandled failure's log record starts with them. Deferreds keep what
    /// they recorded when the switch changes, and switching back and forth while Deferreds are
    /// alive is safe. A Deferred created while the switch was off records nothing unless its own
    /// ``Deferred/debug`` is set (unlike Twisted's, which would still record its first invoker:
    /// that would cost every fire a look at the switch).
    ///
    /// Thread-safe. While off, creating a Deferred costs one relaxed atomic load more, firing one
    /// a nil check. While on, recording a stack takes microseconds and keeps up to 64 return
    /// addresses per stack; turning the stacks into text (for the error or the log record) reads
    /// symbol tables and debug information, a fraction of a second in a large debug binary.
    public static func setDebugging(_ on: Bool) {
        DeferredDebugSwitch.set(on)
    }

    /// True while Deferred debugging is on for the whole process (Twisted's `defer.getDebugging()`);
    /// see ``setDebugging(_:)``. Call it as `Deferred.isDebugging`.
    public static var isDebugging: Bool {
        DeferredDebugSwitch.isOn
    }
}

extension Deferred {
    /// Whether this Deferred is debugged (Twisted's per-instance `Deferred.debug`): unless set on
    /// this Deferred, it reads the process-wide ``Deferred/isDebugging``.
    ///
    /// Setting it to true makes this Deferred record the stack of its first `callback`/`errback`
    /// (if it has not fired yet), which then appears in the ``AlreadyCalledError`` of a second fire
    /// and in the log record of an unhandled failure (that record then starts with
    /// "(debug:  I: First Invoker was:"). Where it was created is known only if debugging was on
    /// then. Setting it to false stops this Deferred recording and keeps its stacks out of a second
    /// fire's error, whatever the process-wide setting. The setting belongs to the chain: every
    /// handle of this Deferred sees it.
    public var debug: Bool {
        get { chain.debugInfo?.override ?? DeferredDebugSwitch.isOn }
        nonmutating set { chain.debugInfoMakingIfNeeded().override = newValue }
    }
}
