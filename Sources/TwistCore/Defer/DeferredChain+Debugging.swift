// The debugging hooks of a chain (spec items 18 and 51). DeferredChain reaches them from four
// places, each a line: its initializer (`DeferredDebugInfo.forNewChain()`: one relaxed load and a
// branch while debugging is off), `fire` and `fire(failure:)` (a nil check on a first fire),
// `beginFire` (the error of a second fire), and its deinit (the unhandled failure's report).
// Everything else lives here and in DeferredDebugInfo.swift, out of line.
//
// `beginFire` itself only gained the out-of-line throw: with the nil check in it too, it grew past
// what the optimizer inlines across modules, and every fire paid a call (about 20 instructions).

extension DeferredChain {
    /// Records the first invoker's stack when the chain is debugged now. `fire` and
    /// `fire(failure:)` call it for a chain that has a debug record, right after `beginFire`
    /// accepted the first fire.
    ///
    /// A chain created while debugging was off has no record, so turning the global switch on later
    /// does not make it record its first invoker (Twisted's does): checking the switch on every fire
    /// is what that would cost. Setting the chain's own ``Deferred/debug`` gives it a record.
    @usableFromInline @inline(never)
    func recordFirstInvoker() {
        guard let debugInfo, debugInfo.isOn, debugInfo.invoker == nil else { return }
        debugInfo.invoker = DeferredCallStack.capture()
    }

    /// Throws the error for a second fire (see ``alreadyCalledError()``); out of line, so that
    /// `beginFire` stays small.
    @usableFromInline @inline(never)
    func throwAlreadyCalled() throws -> Never {
        throw alreadyCalledError()
    }

    /// The error for a second fire. When the chain is debugged now, it carries the recorded
    /// stacks (empty text when none was recorded), as Twisted's does; otherwise nothing.
    func alreadyCalledError() -> AlreadyCalledError {
        guard debugInfo?.isOn ?? DeferredDebugSwitch.isOn else { return AlreadyCalledError() }
        return AlreadyCalledError(debugTracebacks: debugInfo?.tracebacks() ?? "")
    }

    /// The chain's debug record, made (with nothing recorded yet) when it has none.
    func debugInfoMakingIfNeeded() -> DeferredDebugInfo {
        if let debugInfo { return debugInfo }
        let made = DeferredDebugInfo()
        debugInfo = made
        return made
    }
}
