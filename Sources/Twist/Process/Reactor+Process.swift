import CTwistShims
import Glibc
public import TwistCore

extension Reactor: ReactorProcess {
    /// Starts a child process and connects `processProtocol` to it (Twisted's `spawnProcess`);
    /// its `makeConnection`/`connectionMade` have run when this returns. See ``ProcessProtocol``
    /// for the order of the callbacks that follow.
    ///
    /// How, on Linux: the parent's pipe ends are made close-on-exec and non-blocking, the child is
    /// started with `posix_spawnp`, whose file actions map `childFDs` and close every other
    /// descriptor (so nothing else leaks, whatever another thread opened), with every signal at
    /// its default action and unblocked; its exit is watched through a pidfd (`pidfd_open`,
    /// readable when it exits, then `waitid(P_PIDFD)`), per child and per reactor, with no SIGCHLD
    /// handler. Where the kernel has no `pidfd_open` (before Linux 5.3, ENOSYS), the reactor polls
    /// `waitid` for that pid alone every 50 ms instead.
    ///
    /// With `uid` or `gid`, which `posix_spawn` cannot express, the child is started with `fork`
    /// and `execve` instead: between the two it runs only system calls (setsid and the terminal
    /// for `usePTY`, chdir, `setgroups` to just the new or kept group, `setgid`, `setuid`,
    /// the same descriptor map, signals reset), and a step that fails there is reported back
    /// through a close-on-exec pipe, so the spawn still throws synchronously with its errno. The
    /// executable is found on the parent's `PATH` before the fork, as `posix_spawnp` finds it.
    /// Unlike Twisted (`initgroups`), the child gets none of the user's supplementary groups.
    ///
    /// On a pseudo-terminal (`usePTY: true`, Twisted's `usePTY=True`) the child is a session
    /// leader whose descriptors 0, 1 and 2 are the terminal's slave, its controlling terminal
    /// (opened onto 0 after `setsid`, copied to 1 and 2; every other descriptor closed); the
    /// parent keeps the master, non-blocking and close-on-exec, as one stream connection on the
    /// same engine as pipes. As in Twisted:
    /// - everything the child prints, stdout and stderr alike, arrives as
    ///   `childDataReceived(fd: 1, …)`, after the terminal's processing, at the kernel's default settings
    ///   unless `terminal.settings` changes them:
    ///   what is written is echoed back, and `\n` output becomes `\r\n`;
    /// - `write` and a registered producer go to the master (the child reads them as typed
    ///   input; a line reaches a child reading lines when its `\n` does);
    /// - `childConnectionLost` is never called; `processEnded` comes once the child is reaped and
    ///   the master closed: when the child and everything it started have closed the terminal,
    ///   Linux reports EIO on the master rather than end of file, which ends it like end of file;
    /// - `closeStdout`, `closeStderr` and `closeChildFD` of anything but 0 do nothing;
    ///   `writeToChild` throws ``UnknownChildDescriptor``; `loseConnection` closes the master (the
    ///   child's terminal hangs up: SIGHUP).
    ///
    /// One difference: `closeStdin` (Twisted: nothing) queues the terminal's end-of-file character
    /// (^D), so a child reading lines, such as `cat`, reads end of file after what was written.
    /// `terminal` sets the window size and the ``TerminalSettings`` (echo, line or raw input,
    /// `\n` → `\r\n`) before the child starts; ``ProcessTransport/setWindowSize(_:)`` and
    /// ``ProcessTransport/setTerminalSettings(_:)`` change them later.
    ///
    /// - Parameters:
    ///   - executable: the program; without a slash it is looked up on the *parent's* `PATH`.
    ///   - args: the child's whole argv, verbatim: `args[0]` is the name it sees.
    ///   - environment: the child's environment: **empty** by default, as in Twisted.
    ///   - workingDirectory: the child's working directory; the parent's when nil.
    ///   - uid: the user id the child switches to (real, effective and saved; root only).
    ///   - gid: the group id the child switches to, likewise.
    ///   - childFDs: each child descriptor's role (``ChildDescriptor/standard`` when nil); every
    ///     other descriptor is closed in the child. It cannot be combined with `usePTY`.
    ///   - usePTY: true for a pseudo-terminal; false (the default) for pipes.
    ///   - terminal: the terminal's set-up (window size, settings); only used with `usePTY`.
    ///   - onReactorShutdown: what to send the child if it still runs when the reactor shuts
    ///     down: nothing (the default, as in Twisted), a signal, or a signal and then SIGKILL;
    ///     see ``ChildShutdownAction``.
    /// - Throws: ``ProcessSpawnError`` when the child cannot start (ENOENT for a missing
    ///   executable, EPERM or EINVAL for an id it may not switch to, reported synchronously, with
    ///   the failed call); ``TerminalWithChildDescriptors`` for `usePTY` with a `childFDs` map.
    ///   The protocol is then never connected and every descriptor made for it is closed.
    @discardableResult
    public nonisolated func spawnProcess(
        _ processProtocol: ProcessProtocol, executable: String, args: [String],
        environment: ProcessEnvironment = .empty, workingDirectory: String? = nil, uid: UInt32? = nil,
        gid: UInt32? = nil, childFDs: [Int32: ChildDescriptor]? = nil, usePTY: Bool = false,
        terminal: PseudoTerminalOptions = PseudoTerminalOptions(), onReactorShutdown: ChildShutdownAction = .leaveRunning
    ) throws -> any ProcessTransport {
        if usePTY && childFDs != nil { throw TerminalWithChildDescriptors() }
        return try spawnProcess(
            processProtocol, executable: executable, args: args, environment: environment,
            workingDirectory: workingDirectory, childFDs: childFDs ?? ChildDescriptor.standard, reaping: .pidfd,
            wiring: usePTY ? .terminal : .pipes, terminal: terminal, identity: SpawnIdentity(uid: uid, gid: gid),
            onReactorShutdown: onReactorShutdown)
    }

    /// ``spawnProcess(_:executable:args:environment:workingDirectory:uid:gid:childFDs:usePTY:terminal:onReactorShutdown:)``
    /// with the way the child's exit is watched chosen by the caller (tests use it to run the
    /// fallback), and the child's descriptors as pipes or one terminal (then `childFDs` is not used).
    @discardableResult
    nonisolated func spawnProcess(
        _ processProtocol: ProcessProtocol, executable: String, args: [String], environment: ProcessEnvironment,
        workingDirectory: String?, childFDs: [Int32: ChildDescriptor], reaping: ReapingMethod,
        wiring: ChildProcess.Wiring = .pipes, terminal: PseudoTerminalOptions = PseudoTerminalOptions(),
        identity: SpawnIdentity = SpawnIdentity(), onReactorShutdown: ChildShutdownAction = .leaveRunning
    ) throws -> any ProcessTransport {
        requireConfined()
        var plan = SpawnPlan()
        defer { plan.closeChildEnds() }
        switch wiring {
        case .pipes:
            if let code = plan.makePipes(for: childFDs) {
                plan.closeParentEnds()
                throw ProcessSpawnError(executable: executable, call: "pipe2", osError: code, reason: String(cString: strerror(code)))
            }
        case .terminal:
            if let (call, code) = plan.makeTerminal(terminal) {
                throw ProcessSpawnError(executable: executable, call: call, osError: code, reason: String(cString: strerror(code)))
            }
        }
        let pid = try plan.spawn(
            executable: executable, args: args, environment: environment, workingDirectory: workingDirectory,
            identity: identity)
        var pidfd = reaping == .pidfd ? twist_pidfd_open(pid) : -1
        if pidfd < 0 && reaping == .pidfd {
            let code = errno
            if code != ENOSYS {
                logger.warning("pidfd_open failed; polling for the child's exit instead", metadata: ["errno": "\(code)"])
            }
            pidfd = -1
        }
        let process = ChildProcess(
            reactor: self, executable: executable, wiring: wiring, processProtocol: processProtocol, pid: pid,
            pidfd: pidfd, onReactorShutdown: onReactorShutdown)
        let pipeAddress = Address.unix(UNIXAddress(name: .unnamed))
        for end in plan.parentEnds {
            let connection = StreamConnection(
                descriptor: StreamDescriptor(fd: end.parentFD), host: pipeAddress, peer: pipeAddress,
                protocol: ProcessPipeProtocol(childFD: end.childFD, process: process), reactor: self)
            process.pipes[end.childFD] = ChildProcess.Pipe(connection: connection, direction: end.direction)
        }
        if wiring == .terminal, let master = plan.parentEnds.first?.parentFD {
            process.holdTerminal(master: master)
        }
        plan.parentEnds = []  // the connections own them now
        for pipe in process.pipes.values { pipe.connection.start() }
        process.startReaping()
        processProtocol.makeConnection(process)
        return process
    }
}

/// How a child's exit is watched.
enum ReapingMethod {
    /// A pidfd watched for readability, falling back to polling when `pidfd_open` fails.
    case pidfd
    /// Polling `waitid(P_PID, WNOHANG)` (the fallback, forced).
    case polling
}

/// The descriptors one spawn makes, and the spawn itself.
private struct SpawnPlan {
    /// The parent's end of each pipe (or the terminal's master): non-blocking and close-on-exec.
    var parentEnds: [(childFD: Int32, parentFD: Int32, direction: ChildProcess.Pipe.Direction)] = []
    /// The child's ends (or the terminal's slave), closed in the parent once the child has its
    /// copies.
    var childEnds: [Int32] = []
    /// The terminal's slave device, when the child runs on one (it opens the slave by name).
    var terminalName: String?
    /// The child's descriptor numbers and the parent descriptors they copy.
    var targets: [Int32] = []
    var sources: [Int32] = []

    /// Makes a pipe for every pipe entry (in descriptor order); returns the errno if one failed.
    mutating func makePipes(for childFDs: [Int32: ChildDescriptor]) -> Int32? {
        for (childFD, role) in childFDs.sorted(by: { $0.key < $1.key }) {
            switch role {
            case .inherit(let parentFD):
                targets.append(childFD)
                sources.append(parentFD)
            case .pipeFromChild, .pipeToChild:
                var fds: [Int32] = [0, 0]
                guard twist_pipe_cloexec(&fds) == 0 else { return errno }
                let toChild = role == .pipeToChild
                let (parentFD, childEnd) = toChild ? (fds[1], fds[0]) : (fds[0], fds[1])
                _ = fcntl(parentFD, F_SETFL, fcntl(parentFD, F_GETFL) | O_NONBLOCK)
                parentEnds.append((childFD, parentFD, toChild ? .toChild : .fromChild))
                childEnds.append(childEnd)
                targets.append(childFD)
                sources.append(childEnd)
            }
        }
        return nil
    }

    /// Makes a pseudo-terminal sized and set as `options` says (the settings applied to the
    /// slave before the child exists, so its first read already sees them): the master is the parent's end, reported
    /// as the child's fd 1; the slave stays open in the parent until the spawn has returned
    /// (glibc's `posix_spawn` returns once the child has run its file actions, and the fork path
    /// once the child has exec'ed, so the child holds the slave by then and the master never sees
    /// a premature EIO). Returns the failed call and its errno, with nothing open.
    mutating func makeTerminal(_ options: PseudoTerminalOptions) -> (call: String, code: Int32)? {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        let code = twist_open_pty(&master, &slave, &name, name.count)
        guard code == 0 else { return ("posix_openpt", code) }
        var failure: (call: String, code: Int32)?
        if let size = options.windowSize {
            let code = twist_set_window_size(master, size.rows, size.columns)
            if code != 0 { failure = ("ioctl(TIOCSWINSZ)", code) }
        }
        if failure == nil, let settings = options.settings {
            let code = twist_set_terminal_settings(slave, settings.cValue)
            if code != 0 { failure = ("tcsetattr", code) }
        }
        if let failure {
            _ = close(master)
            _ = close(slave)
            return failure
        }
        parentEnds.append((1, master, .terminal))
        childEnds.append(slave)
        terminalName = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return nil
    }

    /// Starts the child (through `posix_spawnp`, or `fork` + `execve` when `identity` switches
    /// an id); on failure closes the parent's ends too and throws.
    mutating func spawn(
        executable: String, args: [String], environment: ProcessEnvironment, workingDirectory: String?,
        identity: SpawnIdentity
    ) throws -> Int32 {
        let argv = CStringArray(args)
        defer { argv.free() }
        let variables: [String]? =
            switch environment {
            case .empty: []
            case .inherit: nil
            case .exactly(let values): values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            }
        let envp = variables.map(CStringArray.init)
        defer { envp?.free() }
        var pid: Int32 = 0
        var call = "posix_spawn"
        let status = argv.pointers.withUnsafeBufferPointer { argvBuffer in
            withEnvironment(envp) { envpPointer in
                withOptionalCString(workingDirectory) { directory in
                    withOptionalCString(terminalName) { terminalName in
                        if !identity.keepsParentIDs {
                            var step: Int32 = 0
                            let status = twist_spawn_as(
                                executable, argvBuffer.baseAddress, envpPointer, directory, targets, sources,
                                Int32(targets.count), terminalName, identity.cValue, &pid, &step)
                            call = SpawnIdentity.callName(ofStep: step)
                            return status
                        }
                        if let terminalName {
                            return twist_spawn_pty(executable, argvBuffer.baseAddress, envpPointer, directory, terminalName, &pid)
                        }
                        return twist_spawn(
                            executable, argvBuffer.baseAddress, envpPointer, directory, targets, sources,
                            Int32(targets.count), &pid)
                    }
                }
            }
        }
        guard status == 0 else {
            closeParentEnds()
            throw ProcessSpawnError(executable: executable, call: call, osError: status, reason: String(cString: strerror(status)))
        }
        return pid
    }

    private func withEnvironment<R>(
        _ envp: CStringArray?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R
    ) -> R {
        guard let envp else { return body(environ) }
        return envp.pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }

    func closeChildEnds() {
        for fd in childEnds { _ = close(fd) }
    }

    mutating func closeParentEnds() {
        for end in parentEnds { _ = close(end.parentFD) }
        parentEnds = []
    }
}
