// Running a chain's stages: at once when the chain is ready and nothing is queued, otherwise from
// its ``DeferredChain/stages`` queue; and handing a result over to a chain that waited on this one.
extension DeferredChain {
    /// True when the chain has a result and nothing stops it from running stages now.
    @inlinable @inline(__always)
    var isReady: Bool {
        state != .none && pauseCount == 0 && !isRunning
    }

    /// True when stages are queued.
    @inlinable @inline(__always)
    var hasPendingStages: Bool {
        !stages.isEmpty
    }

    /// True when a stage added now may run at once, without being queued.
    @inlinable @inline(__always)
    var canRunInline: Bool {
        !hasPendingStages && isReady
    }

    /// Queues a stage after the ones already queued: `payload` holds its closures, `runner` moves
    /// them out of the queue and runs or discards them.
    @inlinable @inline(__always)
    func appendStage<P>(_ payload: __owned P, _ runner: @escaping StageRunner) {
        // Not `stages.push`: see ``DeferredStageQueue/pushAssumingRoom(_:_:)``.
        if !stages.hasRoom { makeRoomForStage() }
        stages.pushAssumingRoom(payload, runner)
    }

    /// Makes room in ``stages`` for one more record. Never inlined, so that the callers' code
    /// passes the chain, not the queue's address.
    @usableFromInline @inline(never)
    func makeRoomForStage() {
        stages.makeRoom()
    }

    /// Removes the first queued stage and runs (or, with `run` false, discards) it.
    @usableFromInline
    func runFirstStage(run: Bool) -> StageOutcome {
        // The record is emptied (runner and payload moved, bitwise, to the stack) before any user
        // code runs: a stage that code adds may take this record's place again, or move the queue,
        // and no access to the queue's storage is still open while it does.
        withUnsafeTemporaryAllocation(
            byteCount: DeferredStageQueue.payloadCapacity, alignment: DeferredStageQueue.payloadAlignment
        ) { local in
            let runner = stages.popFirst(movingPayloadTo: local.baseAddress!)
            return runner(Unmanaged.passUnretained(self), local.baseAddress!, run)
        }
    }

    /// Makes the chain continue with the result of `inner`, a `T` chain returned by one of its
    /// stages (the stage has taken the input; the chain holds nothing). Returns false when the
    /// chain must now wait for `inner` (its remaining stages then run after that one fires).
    @inlinable
    func adopt<T>(_ inner: DeferredChain, _: T.Type) -> Bool {
        if inner === self {
            storeFailure(Failure(caught: DeferredCycleError()))
            resultHandedOff = false
            return true
        }
        if inner.state != .none, inner.pauseCount == 0 {
            // Already fired and free: take its result now, without waiting (no recursion).
            inner.resultHandedOff = true
            copyResult(of: inner, T.self)
            resultHandedOff = false
            return true
        }
        waitingOn = inner
        let (payload, runner) = ResumeStage<T>.queued(resuming: self)
        inner.appendStage(payload, runner)
        return false
    }

    /// Runs queued stages until every chain reached from here is done, paused or waiting.
    ///
    /// No recursion: when this chain's result is handed to a chain that waited on it, that chain
    /// runs next in this same loop, and the handing chain is resumed afterwards from `handedOver`.
    @usableFromInline
    func runStages() {
        var current = self
        var handedOver: [DeferredChain] = []
        while true {
            if current.isReady, current.hasPendingStages {
                current.isRunning = true
                var resumed: DeferredChain?
                running: while current.state != .none, !current.stages.isEmpty {
                    switch current.runFirstStage(run: true) {
                    case .proceed:
                        continue
                    case .wait:
                        break running
                    case .resume(let target):
                        resumed = target
                        break running
                    }
                }
                current.isRunning = false
                if let resumed {
                    // Come back to this chain only if it has stages left (no allocation otherwise).
                    if current.hasPendingStages { handedOver.append(current) }
                    current = resumed
                    continue
                }
            }
            guard let next = handedOver.popLast() else { return }
            current = next
        }
    }

    /// Runs one stage at once on a chain that has a result and nothing queued (the fast path for
    /// adding to a fired Deferred: nothing is queued). `apply` returns false when the chain
    /// must now wait on a Deferred the stage returned.
    @inlinable @inline(__always)
    func runInline(_ apply: (DeferredChain) -> Bool) {
        isRunning = true
        let proceed = apply(self)
        isRunning = false
        if proceed, hasPendingStages { runStages() }
    }
}
