extension Reactor {
    /// Where this reactor's stream connections report what they do (see
    /// ``ReactorInstrumentation``); nil, the default, reports nothing.
    ///
    /// Set it before connections open (connections opened earlier report their close and bytes,
    /// but were never reported as opened). Confined to the reactor thread while it runs.
    public nonisolated var instrumentation: (any ReactorInstrumentation)? {
        get { ioResources.instrumentation }
        set {
            requireConfined()
            ioResources.instrumentation = newValue
        }
    }

    /// How many delayed calls are scheduled and not yet run or cancelled (Twisted's
    /// `len(reactor.getDelayedCalls())`), for metrics and tests.
    public nonisolated var pendingDelayedCallCount: Int {
        requireConfined()
        return core.timers.count
    }
}
