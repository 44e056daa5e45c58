import Glibc
import TwistCore

/// What the reactor's shutdown does to a child still running, as its ``ChildShutdownAction``
/// says: nothing, a signal, or a signal and then SIGKILL.
extension ChildProcess {
    /// Shutdown begins and the child still runs: sends its action's signal (and schedules the
    /// SIGKILL of `signalThenKill`). Returns how long shutdown should wait for this child: the
    /// grace, plus the delay before SIGKILL when there is one.
    func beginShutdown(grace: Double) -> Double {
        guard life.pid != nil else { return grace }
        switch shutdownAction {
        case .leaveRunning:
            return grace
        case .signal(let signalNumber):
            sendForShutdown(signalNumber)
            return grace
        case .signalThenKill(let signalNumber, let delay):
            sendForShutdown(signalNumber)
            reactor.callLater(max(delay, 0)) { [self] in
                guard life.pid != nil else { return }
                sendForShutdown(SIGKILL)
            }
            return max(delay, 0) + grace
        }
    }

    /// Signals the child (while it is not reaped, so the pid is still its own); a child that has
    /// just exited is not an error, anything else is logged.
    private func sendForShutdown(_ signalNumber: Int32) {
        do {
            try signalProcess(signalNumber)
        } catch is ProcessExitedAlready {
            return
        } catch {
            reactor.logger.error(
                "cannot signal a child process at the reactor's shutdown",
                metadata: ["executable": "\(executable)", "signal": "\(signalNumber)", "error": "\(error)"])
        }
    }
}
