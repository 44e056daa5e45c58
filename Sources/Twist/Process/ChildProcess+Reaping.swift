import CTwistShims
import Glibc
import TwistCore

extension ChildProcess {
    /// How often the fallback (no pidfd) looks for the child's exit, in seconds.
    static let fallbackPollInterval = 0.05

    /// Starts watching for the child's exit: the pidfd's readability, or, without a pidfd, a
    /// `waitid(P_PID)` poll every ``fallbackPollInterval`` seconds. The reactor keeps this object
    /// while it watches.
    func startReaping() {
        reactor.core.register(self)
        reactor.core.children.add(self, reactor: reactor)
        if pidfd >= 0 {
            let watchers = IOWatchers(fd: pidfd, handler: self, loop: reactor.core.loop)
            pidWatcher = watchers
            watchers.startReading()
        } else {
            schedulePoll()
        }
    }

    private func schedulePoll() {
        poll = reactor.callLater(Self.fallbackPollInterval) { [self] in
            poll = nil
            if !reapIfExited(), life.pid != nil { schedulePoll() }
        }
    }

    /// The reactor shuts down (after the grace `LiveChildren` gave running children, and the
    /// signals their ``ChildShutdownAction`` asked for): reap the child if it has exited;
    /// otherwise stop watching and leave it running (its pipes are closed by the shutdown, and
    /// `pid` stays set).
    func stopReapingForShutdown() {
        if !reapIfExited() { stopWatching() }
    }

    /// Reaps the child if it has exited (never blocking) and reports it. Returns true when the
    /// child is reaped (now, or before).
    @discardableResult
    func reapIfExited() -> Bool {
        guard life.pid != nil else { return true }
        var code: Int32 = 0
        var status: Int32 = 0
        let pidOrMinus = life.pid ?? -1
        let result = twist_reap(pidfd, pidOrMinus, &code, &status)
        let reason: Failure
        switch result {
        case 0:
            return false
        case 1:
            reason = Self.reason(code: code, status: status)
        default:
            let error = errno
            if error == EINTR { return false }
            // ECHILD: someone else reaped it (or SIGCHLD is ignored): the status is unknown.
            reactor.logger.error(
                "cannot reap a child process; its exit status is unknown",
                metadata: ["executable": "\(executable)", "errno": "\(error)"])
            reason = Failure(ProcessTerminated(exitCode: nil, signal: nil, status: -1))
        }
        stopWatching()
        life = .exited(reason: reason)
        if let processProtocol {
            notify("processExited") { try processProtocol.processExited(reason: reason) }
        }
        endIfDone()
        return true
    }

    /// Stops the pidfd watcher (or the poll), closes the pidfd and the terminal hold, and lets the reactor forget this
    /// object.
    private func stopWatching() {
        releaseTerminalHold()
        pidWatcher?.stop()
        pidWatcher = nil
        if pidfd >= 0 {
            _ = close(pidfd)
            pidfd = -1
        }
        try? poll?.cancel()
        poll = nil
        reactor.core.unregister(self)
        reactor.core.children.remove(self)
    }

    /// The reason for `waitid`'s `si_code` and `si_status`, with Twisted's raw wait status.
    static func reason(code: Int32, status: Int32) -> Failure {
        if code == twist_cld_exited() {
            if status == 0 { return Failure(ProcessDone(status: 0)) }
            return Failure(ProcessTerminated(exitCode: status, status: status << 8))
        }
        let dumped: Int32 = code == twist_cld_dumped() ? 0x80 : 0
        return Failure(ProcessTerminated(signal: status, status: status | dumped))
    }
}
