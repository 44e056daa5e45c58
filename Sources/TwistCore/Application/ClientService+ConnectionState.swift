extension ClientService {
    /// Where a ``ClientService`` stands with its connection. It is ``stopped`` exactly when the
    /// service is neither running nor finishing a stop; ``disconnecting`` while a stop waits for
    /// an attempt or a connection to end; every other state only while it runs.
    enum ConnectionState {
        /// Never started, or stopped with nothing left to end.
        case stopped
        /// An attempt is under way; nil while `endpoint.connect` itself runs.
        case connecting(Deferred<Protocol>?)
        /// Connected; `prepareConnection`'s Deferred has not fired yet (nil while
        /// `prepareConnection` itself runs).
        case preparing(ClientServiceConnection, prepared: Deferred<Void>?)
        /// Connected and prepared: ``ClientService/whenConnected(failAfterFailures:)`` answers at once.
        case connected(ClientServiceConnection)
        /// The next attempt is scheduled.
        case waiting(retry: DelayedCall)
        /// Stopped, waiting for `ending` to end before the stop Deferreds fire.
        case disconnecting(DisconnectEnding, stopWaiters: [Deferred<Void>])
        /// Started again while disconnecting: once `ending` has ended, the stop Deferreds fire
        /// and the service connects.
        case restarting(DisconnectEnding, stopWaiters: [Deferred<Void>])
    }

    /// What a stop waits for.
    enum DisconnectEnding {
        /// A cancelled attempt, which has not reported yet (nil while `endpoint.connect` runs).
        case attempt(Deferred<Protocol>?)
        /// A connection told to close, which has not been lost yet.
        case connection(ClientServiceConnection)
    }
}
