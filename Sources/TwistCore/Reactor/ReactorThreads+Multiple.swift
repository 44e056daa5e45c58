extension ReactorThreads {
    /// Runs `calls` one after another in a single pool job, on one pool thread, in order
    /// (Twisted's `threads.callMultipleInThread`). As in Twisted, an error thrown by one call ends
    /// the job: the calls after it do not run, and the error is logged as any `callInThread`
    /// error is. Safe from wherever ``callInThread(_:)`` is.
    ///
    /// - Throws: what ``callInThread(_:)`` throws once the pool has stopped (no call runs).
    public func callMultipleInThread(_ calls: [@Sendable () throws -> Void]) throws {
        try callInThread {
            for call in calls { try call() }
        }
    }
}
