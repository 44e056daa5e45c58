import Glibc
import Logging
import TwistCore

/// A child process started by ``Reactor/spawnProcess(_:executable:args:environment:workingDirectory:uid:gid:childFDs:usePTY:terminal:onReactorShutdown:)``:
/// the ``ProcessTransport`` its protocol talks through.
///
/// Each pipe is a ``StreamConnection`` on the one stream engine (reading, the write queue, flow
/// control and closing are the engine's), whose protocol forwards to this object. The child's
/// end is noticed through a pidfd watched for readability (see `ChildProcess+Reaping`), so the
/// reactor never needs SIGCHLD. Its life is one ``ProcessLife``. Confined to the reactor thread.
final class ChildProcess: IOHandler, ProcessTransport {
    /// One open pipe (or the terminal's master): its connection, and which way bytes go.
    struct Pipe {
        /// Which way a pipe carries bytes.
        enum Direction {
            /// The child reads it (its stdin, or a `pipeToChild`).
            case toChild
            /// The child writes it (its stdout, stderr, or a `pipeFromChild`).
            case fromChild
            /// A pseudo-terminal's master: the child reads and writes it (fds 0, 1 and 2).
            case terminal
        }

        let connection: StreamConnection
        let direction: Direction

        /// True when the child reads what is written here.
        var carriesInput: Bool { direction != .fromChild }
        /// True when the child's output arrives here.
        var carriesOutput: Bool { direction != .toChild }
    }

    /// How the child's standard descriptors are connected: fixed at the spawn.
    enum Wiring {
        /// One pipe per `ChildDescriptor` entry.
        case pipes
        /// One pseudo-terminal on fds 0, 1 and 2, its master kept under child fd 1 (where its
        /// output is reported).
        case terminal
    }

    let reactor: Reactor
    let executable: String
    let wiring: Wiring
    /// What the reactor's shutdown sends the child if it still runs; see `ChildProcess+Shutdown`.
    let shutdownAction: ChildShutdownAction
    var processProtocol: ProcessProtocol?
    var life: ProcessLife
    /// The open pipes, by the child's descriptor number.
    var pipes: [Int32: Pipe] = [:]
    /// The pidfd (-1 when the kernel has none: the fallback polls instead), and its watcher.
    var pidfd: Int32
    var pidWatcher: IOWatchers?
    /// The fallback's polling call, while it polls.
    var poll: DelayedCall?
    /// A second descriptor of the terminal's master (-1 without a terminal, or once released),
    /// held until the child is reaped; see `ChildProcess+Terminal`.
    var terminalHold: Int32 = -1

    init(
        reactor: Reactor, executable: String, wiring: Wiring, processProtocol: ProcessProtocol, pid: Int32,
        pidfd: Int32, onReactorShutdown: ChildShutdownAction
    ) {
        self.reactor = reactor
        self.executable = executable
        self.wiring = wiring
        self.shutdownAction = onReactorShutdown
        self.processProtocol = processProtocol
        self.life = .running(pid: pid)
        self.pidfd = pidfd
        super.init()
    }

    var pid: Int32? { life.pid }

    /// The pidfd is readable: the child has exited.
    override func handleReadable() {
        reapIfExited()
    }

    override func closeForShutdown() {
        stopReapingForShutdown()
    }

    // MARK: Writing

    /// Where the child's standard input is written: the stdin pipe, or the terminal's master.
    var inputPipe: Pipe? {
        let pipe = wiring == .terminal ? pipes[1] : pipes[0]
        guard let pipe, pipe.carriesInput else { return nil }
        return pipe
    }

    func write(_ data: ArraySlice<UInt8>) {
        reactor.requireConfined("ProcessTransport")
        guard let stdin = inputPipe, !stdin.connection.isDisconnecting else { return }
        stdin.connection.write(data)
    }

    func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { write(chunk) }
    }

    func writeToChild(_ childFD: Int32, _ data: ArraySlice<UInt8>) throws {
        reactor.requireConfined("ProcessTransport")
        guard wiring == .pipes, let pipe = pipes[childFD], pipe.direction == .toChild,
            !pipe.connection.isDisconnecting
        else {
            throw UnknownChildDescriptor(childFD)
        }
        pipe.connection.write(data)
    }

    // MARK: Closing pipes

    func closeStdin() { closeChildFD(0) }

    func closeStdout() { closeChildFD(1) }

    func closeStderr() { closeChildFD(2) }

    /// A pipe to the child flushes and then closes; a pipe from it closes on the next pass (a
    /// read end is never writable, so it cannot wait for a flush). On a terminal see
    /// ``closeTerminalDescriptor(_:)``.
    func closeChildFD(_ childFD: Int32) {
        reactor.requireConfined("ProcessTransport")
        if wiring == .terminal {
            closeTerminalDescriptor(childFD)
            return
        }
        guard let pipe = pipes[childFD] else { return }
        if pipe.direction == .toChild {
            pipe.connection.loseConnection()
        } else {
            pipe.connection.abortConnection()
        }
    }

    /// Closes every pipe; on a terminal, flushes and closes the master (the child's terminal hangs
    /// up: it is sent SIGHUP and reads end of file).
    func loseConnection() {
        if wiring == .terminal {
            reactor.requireConfined("ProcessTransport")
            pipes[1]?.connection.loseConnection()
            releaseTerminalHold()
            return
        }
        closeStdin()
        closeStderr()
        closeStdout()
    }

    // MARK: Signals

    func signalProcess(_ signalNumber: Int32) throws {
        reactor.requireConfined("ProcessTransport")
        guard let pid = life.pid else { throw ProcessExitedAlready() }
        // The child is not reaped, so its pid cannot have been reused: kill is exact.
        guard kill(pid, signalNumber) == 0 else {
            let code = errno
            if code == ESRCH { throw ProcessExitedAlready() }
            throw ProcessSpawnError(executable: executable, call: "kill", osError: code, reason: String(cString: strerror(code)))
        }
    }

    // MARK: Producer (reading every pipe from the child) and consumer (stdin)

    func pauseProducing() {
        for pipe in pipes.values where pipe.carriesOutput { pipe.connection.pauseProducing() }
    }

    func resumeProducing() {
        for pipe in pipes.values where pipe.carriesOutput { pipe.connection.resumeProducing() }
    }

    func stopProducing() {
        loseConnection()
    }

    func registerProducer(_ producer: RegisteredProducer) throws {
        guard let stdin = inputPipe else {
            producer.producer.stopProducing()
            return
        }
        try stdin.connection.registerProducer(producer)
    }

    func unregisterProducer() {
        inputPipe?.connection.unregisterProducer()
    }

    // MARK: From the pipes

    /// Bytes from the child on `childFD`, for the protocol; what it throws closes that pipe (the
    /// engine logs it).
    func pipeDataReceived(childFD: Int32, data: ArraySlice<UInt8>) throws {
        try processProtocol?.childDataReceived(fd: childFD, data: data)
    }

    /// The pipe on `childFD` closed: tell the protocol (never for a terminal, as in Twisted), and
    /// end the process if it was the last one after the reaping.
    func pipeClosed(childFD: Int32) {
        pipes[childFD] = nil
        if wiring == .pipes, let processProtocol {
            notify("childConnectionLost") { try processProtocol.childConnectionLost(fd: childFD) }
        }
        endIfDone()
    }

    /// Tells the protocol `processEnded` once the child is reaped and no pipe is open.
    func endIfDone() {
        guard case .exited(let reason) = life, pipes.isEmpty else { return }
        life = .ended
        let processProtocol = self.processProtocol
        self.processProtocol = nil
        if let processProtocol {
            notify("processEnded") { try processProtocol.processEnded(reason: reason) }
        }
    }

    /// Runs a protocol callback, logging what it throws.
    func notify(_ callback: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            reactor.logger.error(
                "error in a process protocol's \(callback); the process carries on",
                metadata: ["executable": "\(executable)", "error": "\(error)"])
        }
    }
}
