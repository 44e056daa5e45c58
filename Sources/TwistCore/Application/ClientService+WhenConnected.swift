extension ClientService {
    /// A pending ``ClientService/whenConnected(failAfterFailures:)`` call.
    struct ConnectionWaiter {
        /// What the caller holds.
        let deferred: Deferred<Protocol>
        /// How many more failed attempts it waits through; nil for no limit.
        var failuresLeft: Int?
    }

    /// The application's protocol of the current connection, now or once there is one.
    ///
    /// - While connected (and prepared): a Deferred that has fired with the protocol the
    ///   application's factory built — not the service's internal proxy.
    /// - Otherwise, while the service runs (also when asked from the application protocol's own
    ///   `connectionLost`): a Deferred that fires with the next connection's protocol; with
    ///   `failAfterFailures` k, it fails instead with the k-th failed attempt counted from this
    ///   call (the attempt's own error), while the service goes on retrying.
    /// - When the service is stopped or stopping, it has already failed with ``CancelledError``;
    ///   ``stopService()`` fails every pending one the same way.
    ///
    /// Cancelling the Deferred withdraws it: it fails with ``CancelledError`` and the service
    /// forgets it.
    ///
    /// - Precondition: `failAfterFailures`, when given, is at least 1.
    public func whenConnected(failAfterFailures: Int? = nil) -> Deferred<Protocol> {
        if let failAfterFailures {
            precondition(failAfterFailures >= 1, "whenConnected(failAfterFailures:) needs at least 1, got \(failAfterFailures)")
        }
        guard isRunning else { return fail(CancelledError()) }
        // A connection whose loss is being delivered (the application's own connectionLost asks
        // for the next one) is not the current one any more.
        if case .connected(let connection) = state, connection.isConnected { return succeed(connection.application) }
        let deferred = Deferred<Protocol>(canceller: { [weak self] cancelled in
            self?.waiters.removeAll { $0.deferred.isSame(as: cancelled) }
        })
        waiters.append(ConnectionWaiter(deferred: deferred, failuresLeft: failAfterFailures))
        return deferred
    }

    /// The application's protocol of the current connection, now or once there is one: the
    /// `async` form of the Deferred-returning `whenConnected(failAfterFailures:)`, with the
    /// same answers. It runs on its caller's isolation, so call it from code isolated to the
    /// reactor (the service's thread), where it also resumes.
    ///
    /// - Throws: ``CancelledError`` when the service is stopped or stops meanwhile, or when the
    ///   awaiting task is cancelled (the wait is then withdrawn); with `failAfterFailures` k, the
    ///   error of the k-th failed attempt.
    public nonisolated(nonsending) func whenConnected(failAfterFailures: Int? = nil) async throws -> Protocol {
        let connected: Deferred<Protocol> = whenConnected(failAfterFailures: failAfterFailures)
        return try await connected.value()
    }

    /// Fails every pending waiter with `error` (``stopService()`` passes ``CancelledError``).
    func failWaiters(with error: any Error) {
        let waiting = waiters
        waiters = []
        for waiter in waiting { try? waiter.deferred.errback(error) }
    }

    /// Counts one failed attempt against every waiter with a limit, and fails those that reach
    /// it with `failure`.
    func failWaiters(after failure: Failure) {
        var reached: [Deferred<Protocol>] = []
        waiters = waiters.compactMap { waiter in
            guard let left = waiter.failuresLeft else { return waiter }
            if left <= 1 {
                reached.append(waiter.deferred)
                return nil
            }
            return ConnectionWaiter(deferred: waiter.deferred, failuresLeft: left - 1)
        }
        for deferred in reached { try? deferred.errback(failure) }
    }
}
