/// Where a stream connection is in its life: one value, changed only through the transitions
/// below, each of which says whether it happened. It makes no system call and calls no protocol:
/// the connection asks it first, then acts (starts or stops watchers, shuts down, closes,
/// notifies), so the machine is tested without a socket.
///
/// ```
/// connecting ──start──▶ connected(read, write) ──loseConnection──▶ disconnecting(write)
///                          │   read:  reading ⇄ paused, ──peer EOF──▶ closedByPeer
///                          │   write: open ──loseWriteConnection──▶ shutdownPending ──drained──▶ shutDown
///                          └──────────────┬───────────────────────────────┘
///                                       abort ──▶ aborting ──▶ closed   (close: from any state)
/// ```
struct ConnectionState: Equatable {
    /// The reading half, as long as the connection is connected.
    enum ReadHalf: Equatable {
        /// Reading when the descriptor is readable.
        case reading
        /// Not reading: the transport was paused as a producer (`pauseProducing`).
        case paused
        /// The peer shut down its sending side (end of file seen by a half-closeable protocol).
        case closedByPeer
    }

    /// The writing half, until the connection is closed.
    enum WriteHalf: Equatable {
        /// Writes are accepted.
        case open
        /// `loseWriteConnection()`: writes are refused; the sending side is shut down once the
        /// queue drains.
        case shutdownPending
        /// The sending side is shut down.
        case shutDown
    }

    /// The states themselves.
    enum Phase: Equatable {
        /// Made, but not yet handed to its protocol.
        case connecting
        /// Handed to its protocol: reading and writing as each half says.
        case connected(read: ReadHalf, write: WriteHalf)
        /// `loseConnection()`: no more reading; flushing what is queued, then closing.
        case disconnecting(write: WriteHalf)
        /// Aborted (or a write failed): the queue is dropped, the close comes on a later pass.
        case aborting
        /// Closed; the protocol has been (or is being) told.
        case closed
    }

    /// The current state.
    private(set) var phase = Phase.connecting

    init() {}

    // MARK: Questions

    /// The descriptor should be watched for reading now.
    var wantsToRead: Bool {
        if case .connected(.reading, _) = phase { return true }
        return false
    }

    /// `write` is accepted: connected or disconnecting, and the sending side not shut or shutting.
    var acceptsWrites: Bool { phase.writeHalf == .open }

    /// What is queued may be flushed: connected or disconnecting.
    var canFlush: Bool { phase.writeHalf != nil }

    /// Twisted's `disconnecting`: true once `loseConnection` or `abortConnection` was called or
    /// the connection is gone.
    var isDisconnecting: Bool {
        switch phase {
        case .connecting, .connected: false
        case .disconnecting, .aborting, .closed: true
        }
    }

    /// Connected, in any combination of halves.
    var isConnected: Bool {
        if case .connected = phase { return true }
        return false
    }

    /// `loseConnection` was called and the close waits only for the queue to drain.
    var isFlushingToClose: Bool {
        if case .disconnecting = phase { return true }
        return false
    }

    /// Closed.
    var isClosed: Bool { phase == .closed }

    // MARK: Transitions

    /// The protocol is about to be told it is connected. Returns false unless connecting.
    @discardableResult
    mutating func start() -> Bool {
        guard phase == .connecting else { return false }
        phase = .connected(read: .reading, write: .open)
        return true
    }

    /// The transport was paused as a producer. Returns true when reading was going on.
    @discardableResult
    mutating func pauseReading() -> Bool {
        guard case .connected(.reading, let write) = phase else { return false }
        phase = .connected(read: .paused, write: write)
        return true
    }

    /// The transport was resumed as a producer. Returns true when reading should start again.
    @discardableResult
    mutating func resumeReading() -> Bool {
        guard case .connected(.paused, let write) = phase else { return false }
        phase = .connected(read: .reading, write: write)
        return true
    }

    /// The peer shut down its sending side and the protocol can live with half a connection.
    /// Returns false unless the connection was reading.
    @discardableResult
    mutating func peerClosedWriting() -> Bool {
        guard case .connected(let read, let write) = phase, read != .closedByPeer else { return false }
        phase = .connected(read: .closedByPeer, write: write)
        return true
    }

    /// `loseWriteConnection()`. Returns true when the shutdown is now pending (connected, and
    /// the sending side still open).
    @discardableResult
    mutating func loseWriteConnection() -> Bool {
        guard case .connected(let read, .open) = phase else { return false }
        phase = .connected(read: read, write: .shutdownPending)
        return true
    }

    /// The queue drained: a pending shutdown of the sending side is due. Returns true (and marks
    /// the side shut) when the caller must shut it down now.
    mutating func takePendingWriteShutdown() -> Bool {
        switch phase {
        case .connected(let read, .shutdownPending):
            phase = .connected(read: read, write: .shutDown)
            return true
        case .disconnecting(.shutdownPending):
            phase = .disconnecting(write: .shutDown)
            return true
        default:
            return false
        }
    }

    /// `loseConnection()`. Returns true when the connection now flushes and closes (it was
    /// connected).
    @discardableResult
    mutating func loseConnection() -> Bool {
        guard case .connected(_, let write) = phase else { return false }
        phase = .disconnecting(write: write)
        return true
    }

    /// `abortConnection()`, or a write failed. Returns true when the connection was connected or
    /// disconnecting and now waits for its close.
    @discardableResult
    mutating func abort() -> Bool {
        guard phase.writeHalf != nil else { return false }
        phase = .aborting
        return true
    }

    /// Closes, from any state. Returns false when it was closed already.
    @discardableResult
    mutating func close() -> Bool {
        guard phase != .closed else { return false }
        phase = .closed
        return true
    }
}

extension ConnectionState.Phase {
    /// The writing half while connected or disconnecting; nil in every other state.
    var writeHalf: ConnectionState.WriteHalf? {
        switch self {
        case .connected(_, let write), .disconnecting(let write): write
        case .connecting, .aborting, .closed: nil
        }
    }
}
