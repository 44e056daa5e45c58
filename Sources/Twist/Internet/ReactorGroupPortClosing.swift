import TwistCore

/// Counts the open members of one ``ReactorGroupPort`` across threads, and tells whoever waits
/// once the last has closed — whether the port was stopped or the members' reactors shut down.
final class ReactorGroupPortClosing: Sendable {
    private let phase = PosixMutex(Phase.open(members: 0, waiters: []))

    private enum Phase {
        case open(members: Int, waiters: [@Sendable () -> Void])
        case closed
    }

    /// One more member is open.
    func memberOpened() {
        phase.withLock { phase in
            if case .open(let members, let waiters) = phase { phase = .open(members: members + 1, waiters: waiters) }
        }
    }

    /// One member closed; the last one tells the waiters.
    func memberClosed() {
        let waiters = phase.withLock { phase -> [@Sendable () -> Void] in
            guard case .open(let members, let waiters) = phase else { return [] }
            if members > 1 {
                phase = .open(members: members - 1, waiters: waiters)
                return []
            }
            phase = .closed
            return waiters
        }
        for waiter in waiters { waiter() }
    }

    /// True once every member has closed.
    var isClosed: Bool {
        phase.withLock { if case .closed = $0 { true } else { false } }
    }

    /// Calls `body` once every member has closed (at once, on the caller's thread, if they have).
    func whenClosed(_ body: @escaping @Sendable () -> Void) {
        let now = phase.withLock { phase -> Bool in
            guard case .open(let members, var waiters) = phase else { return true }
            waiters.append(body)
            phase = .open(members: members, waiters: waiters)
            return false
        }
        if now { body() }
    }
}
