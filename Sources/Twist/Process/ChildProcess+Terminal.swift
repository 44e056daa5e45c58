import CTwistShims
import Glibc
import TwistCore

/// What only a child on a pseudo-terminal needs: closing its "stdin", and keeping the terminal
/// from hanging up before the child is reaped.
///
/// Why the hold: a child often closes its terminal descriptors just before it exits (GNU `cat`
/// closes 0, 1 and 2 in an `atexit` handler). The master then reads EIO, its connection closes,
/// and closing the last descriptor of a master hangs the terminal up: the kernel sends SIGHUP to
/// the session leader, which is still alive for a moment, and its clean exit would be reported as
/// a death by SIGHUP. So the process keeps a second descriptor of the master until the child is
/// reaped; only then (or on ``ChildProcess/loseConnection()``, or at the reactor's shutdown) is
/// it closed, and the terminal hangs up when the last of the two goes.
extension ChildProcess {
    /// Keeps a close-on-exec duplicate of `master` until the child is reaped (nothing kept, and a
    /// warning, if `fcntl` fails: the child then only risks the SIGHUP above).
    func holdTerminal(master: Int32) {
        terminalHold = fcntl(master, F_DUPFD_CLOEXEC, 0)
        if terminalHold < 0 {
            reactor.logger.warning(
                "cannot hold the terminal's master open until the child is reaped",
                metadata: ["executable": "\(executable)", "errno": "\(errno)"])
        }
    }

    /// Closes the hold, if any: from now on closing the master's connection hangs the terminal up.
    func releaseTerminalHold() {
        guard terminalHold >= 0 else { return }
        _ = close(terminalHold)
        terminalHold = -1
    }

    /// On a terminal the child's 0, 1 and 2 are one device and cannot be closed one by one:
    /// closing 0 queues the terminal's end-of-file character (normally ^D; nothing when the child
    /// put the terminal in raw mode), which a child reading lines sees as end of file; 1, 2 and
    /// others are ignored, as Twisted ignores them.
    func closeTerminalDescriptor(_ childFD: Int32) {
        guard childFD == 0, let master = inputPipe, !master.connection.isDisconnecting else { return }
        let character = twist_pty_eof_character(master.connection.descriptor.fd)
        guard character >= 0 else { return }
        master.connection.write([UInt8(truncatingIfNeeded: character)][...])
    }

    /// TIOCSWINSZ on the master, while it is open; the kernel sends SIGWINCH to the terminal's
    /// foreground process group when the size changes.
    func setWindowSize(_ size: TerminalWindowSize) throws {
        let code = twist_set_window_size(try openMaster(), size.rows, size.columns)
        guard code == 0 else { throw ProcessNotOnTerminal(osError: code) }
    }

    /// tcgetattr on the master (on Linux it reads the slave's line discipline).
    func terminalSettings() throws -> TerminalSettings {
        var settings = twist_terminal_settings()
        let code = twist_get_terminal_settings(try openMaster(), &settings)
        guard code == 0 else { throw ProcessNotOnTerminal(osError: code) }
        return TerminalSettings(settings)
    }

    /// tcsetattr on the master, changing only the flags ``TerminalSettings`` names.
    func setTerminalSettings(_ settings: TerminalSettings) throws {
        let code = twist_set_terminal_settings(try openMaster(), settings.cValue)
        guard code == 0 else { throw ProcessNotOnTerminal(osError: code) }
    }

    /// The master's descriptor while the child runs on a terminal that is open.
    private func openMaster() throws -> Int32 {
        reactor.requireConfined("ProcessTransport")
        guard wiring == .terminal, let master = pipes[1], !master.connection.isDisconnecting else {
            throw ProcessNotOnTerminal()
        }
        return master.connection.descriptor.fd
    }
}

extension TerminalSettings {
    /// The C shim's form.
    var cValue: twist_terminal_settings {
        twist_terminal_settings(echo: echo ? 1 : 0, canonical: input == .canonical ? 1 : 0, mapNewline: mapsNewlineToCRLF ? 1 : 0)
    }

    /// Settings read by the C shim.
    init(_ settings: twist_terminal_settings) {
        self.init(
            echo: settings.echo != 0, input: settings.canonical != 0 ? .canonical : .raw,
            mapsNewlineToCRLF: settings.mapNewline != 0)
    }
}
