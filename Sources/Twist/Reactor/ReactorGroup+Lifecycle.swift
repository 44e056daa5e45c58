import TwistCore

extension ReactorGroup {
    /// Runs every member on a thread of its own and returns at once. Work posted to members
    /// before this runs once they run.
    ///
    /// - Throws: ``ReactorAlreadyRunning`` if the group runs, ``ReactorNotRestartable`` if it ran.
    public func start() throws {
        try begin()
        for reactor in reactors {
            launch(reactor)
        }
    }

    /// Runs the first member on the calling thread (on the main thread it also serves the main
    /// actor) and the others on threads of their own; returns when every member has returned.
    ///
    /// - Parameter installSignalHandlers: SIGINT and SIGTERM stop the first member — and so the
    ///   group — gracefully; see ``Reactor/run(installSignalHandlers:)``.
    /// - Throws: ``ReactorAlreadyRunning`` if the group runs, ``ReactorNotRestartable`` if it ran.
    public func run(installSignalHandlers: Bool = false) throws {
        try begin()
        for reactor in reactors.dropFirst() {
            launch(reactor)
        }
        runMember(reactors[0], installSignalHandlers: installSignalHandlers)
        waitUntilStopped()
    }

    /// Asks every member to stop (on its own thread, through `callFromThread`) and returns at
    /// once. Safe from any thread, a member's included; asking again, or asking a group that
    /// stops already, does nothing more. A group that never started is stopped at once.
    public func requestStop() {
        if let waiters = phase.withLock({ $0.stopBeforeStarting() }) {
            for waiter in waiters { waiter() }
            return
        }
        for reactor in reactors { Self.askToStop(reactor) }
    }

    /// Stops the group and returns when every member's thread has returned: every port and
    /// connection of the group is closed then.
    ///
    /// - Precondition: not called on a member's thread (it would wait for itself).
    public func stop() {
        requestStop()
        waitUntilStopped()
    }

    /// Stops the group; returns when every member's thread has returned.
    public func stop() async {
        requestStop()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            whenStopped { continuation.resume() }
        }
    }

    /// Blocks until every member's thread has returned (at once if the group is stopped).
    ///
    /// - Precondition: not called on a member's thread (it would wait for itself).
    public func waitUntilStopped() {
        precondition(current == nil, "ReactorGroup: cannot wait for the group on one of its own reactor threads")
        let latch = ThreadLatch()
        whenStopped { latch.open() }
        latch.wait()
    }

    /// Calls `body` once every member's thread has returned: on the thread of the last member to
    /// return, or on the caller's at once if the group is already stopped.
    public func whenStopped(_ body: @escaping @Sendable () -> Void) {
        if !phase.withLock({ $0.addWaiter(body) }) { body() }
    }

    /// Moves the group to running and installs, on every member, the `before shutdown` trigger
    /// that stops the others: so a member stopped alone (by a signal, or its own `stop()`) stops
    /// the group. The trigger holds the group until the member's `run()` returns and drops it.
    private func begin() throws {
        try phase.withLock { try $0.start(count: reactors.count) }
        for reactor in reactors {
            reactor.addSystemEventTrigger(.before, .shutdown) { [self] in
                for other in reactors where other !== reactor { Self.askToStop(other) }
            }
        }
    }

    /// Starts a thread that runs `reactor`.
    private func launch(_ reactor: Reactor) {
        DetachedThread.start { [self] in
            runMember(reactor, installSignalHandlers: false)
        }
    }

    /// Runs one member on the calling thread; a member that cannot run stops the group.
    private func runMember(_ reactor: Reactor, installSignalHandlers: Bool) {
        do {
            try reactor.run(installSignalHandlers: installSignalHandlers)
        } catch {
            reactor.logger.error("a reactor of the group could not run; stopping the group", metadata: ["error": "\(error)"])
            for other in reactors where other !== reactor { Self.askToStop(other) }
        }
        let waiters = phase.withLock { $0.memberReturned() }
        for waiter in waiters { waiter() }
    }

    /// Posts a stop to `reactor`; one that stops already, or never runs, ignores it. The post
    /// holds the reactor weakly: a post that never runs (the reactor had already stopped) stays in
    /// the reactor's own queue, and must not keep it alive from there.
    private static func askToStop(_ reactor: Reactor) {
        reactor.callFromThread { [weak reactor] in try? reactor?.stop() }
    }
}
