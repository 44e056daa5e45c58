import CLibev
import Glibc

/// Process-wide set-up every reactor needs, done once, when the first reactor is created.
enum ProcessSetup {
    /// Ignores `SIGPIPE` (a write to a closed socket or pipe then fails with `EPIPE` instead of
    /// killing the process; `writev` and pipes have no per-call opt-out), and makes libev report
    /// a failed system call with its message before it aborts.
    static func ensure() {
        _ = once
    }

    private static let once: Void = {
        signal(SIGPIPE, SIG_IGN)
        ev_set_syserr_cb { message in
            let text = message.map { String(cString: $0) } ?? "unknown error"
            fatalError("libev: a system call failed and the event loop cannot continue: \(text)")
        }
    }()
}
