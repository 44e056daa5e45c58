// The debugging hooks of a chain (spec items 18 and 51). DeferredChain calls them from three
// places: its initializer (one relaxed load and a branch when debugging is off), `beginFire` (one
// nil check on a first fire, and the error of a second fire), and its deinit (the unhandled
// failure's report). Everything else lives here, out of line.

extension DeferredChain {
    /// Records where the chain is being created when debugging is on (Twisted records
    /// `format_stack()` in `Deferred.__init__` when `self.debug` is true).
    @inline(__always)
    func recordCreationIfDebugging() {
        if _slowPath(DeferredDebugSwitch.isOn) { recordCreation() }
    }

    /// Gives the chain a debug record holding the creator's stack.
    @usableFromInline @inline(never)
    func recordCreation() {
        debugInfo = DeferredDebugInfo(creator: DeferredCallStack.capture())
    }

    /// Records the first invoker's stack when the chain is debugged now. `beginFire` calls it, on
    /// the first fire only and only for a chain that has a debug record.
    ///
    /// A chain created while debugging was off has no record, so turning the global switch on later
    /// does not make it record its first invoker (Twisted's does): checking the switch on every fire
    /// is what that would cost. Setting the chain's own ``Deferred/debug`` gives it a record.
    @usableFromInline @inline(never)
    func recordFirstInvoker() {
        guard let debugInfo, debugInfo.isOn, debugInfo.invoker == nil else { return }
        debugInfo.invoker = DeferredCallStack.capture()
    }

    /// The error for a second fire. When the chain is debugged now, it carries the recorded
    /// stacks (empty text when none was recorded), as Twisted's does; otherwise nothing.
    @usableFromInline @inline(never)
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
