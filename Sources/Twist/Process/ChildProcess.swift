import Glibc
import Logging
import TwistCore

/// A child process started by ``Reactor/spawnProcess(_:executable:args:environment:workingDirectory:childFDs:)``:
/// the ``ProcessTransport`` its protocol talks through.
///
/// Each pipe is a ``StreamConnection`` on the one stream engine (reading, the write queue, flow
/// control and closing are the engine's), whose protocol forwards to this object. The child's
/// end is noticed through a pidfd watched for readability (see `ChildProcess+Reaping`), so the
/// reactor never needs SIGCHLD. Its life is one ``ProcessLife``. Confined to the reactor thread.
final class ChildProcess: IOHandler, ProcessTransport {
    /// One open pipe: its connection, and whether the child reads it.
    struct Pipe {
        let connection: StreamConnection
        let toChild: Bool
    }

    let reactor: Reactor
    let executable: String
    var processProtocol: ProcessProtocol?
    var life: ProcessLife
    /// The open pipes, by the child's descriptor number.
    var pipes: [Int32: Pipe] = [:]
    /// The pidfd (-1 when the kernel has none: the fallback polls instead), and its watcher.
    var pidfd: Int32
    var pidWatcher: IOWatchers?
    /// The fallback's polling call, while it polls.
    var poll: DelayedCall?

    init(reactor: Reactor, executable: String, processProtocol: ProcessProtocol, pid: Int32, pidfd: Int32) {
        self.reactor = reactor
        self.executable = executable
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

    func write(_ data: ArraySlice<UInt8>) {
        reactor.requireConfined("ProcessTransport")
        guard let stdin = pipes[0], stdin.toChild, !stdin.connection.isDisconnecting else { return }
        stdin.connection.write(data)
    }

    func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { write(chunk) }
    }

    func writeToChild(_ childFD: Int32, _ data: ArraySlice<UInt8>) throws {
        reactor.requireConfined("ProcessTransport")
        guard let pipe = pipes[childFD], pipe.toChild, !pipe.connection.isDisconnecting else {
            throw UnknownChildDescriptor(childFD)
        }
        pipe.connection.write(data)
    }

    // MARK: Closing pipes

    func closeStdin() { closeChildFD(0) }

    func closeStdout() { closeChildFD(1) }

    func closeStderr() { closeChildFD(2) }

    /// A pipe to the child flushes and then closes; a pipe from it closes on the next pass (a
    /// read end is never writable, so it cannot wait for a flush).
    func closeChildFD(_ childFD: Int32) {
        reactor.requireConfined("ProcessTransport")
        guard let pipe = pipes[childFD] else { return }
        if pipe.toChild {
            pipe.connection.loseConnection()
        } else {
            pipe.connection.abortConnection()
        }
    }

    func loseConnection() {
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
        for pipe in pipes.values where !pipe.toChild { pipe.connection.pauseProducing() }
    }

    func resumeProducing() {
        for pipe in pipes.values where !pipe.toChild { pipe.connection.resumeProducing() }
    }

    func stopProducing() {
        loseConnection()
    }

    func registerProducer(_ producer: RegisteredProducer) throws {
        guard let stdin = pipes[0], stdin.toChild else {
            producer.producer.stopProducing()
            return
        }
        try stdin.connection.registerProducer(producer)
    }

    func unregisterProducer() {
        pipes[0]?.connection.unregisterProducer()
    }

    // MARK: From the pipes

    /// Bytes from the child on `childFD`, for the protocol; what it throws closes that pipe (the
    /// engine logs it).
    func pipeDataReceived(childFD: Int32, data: ArraySlice<UInt8>) throws {
        try processProtocol?.childDataReceived(fd: childFD, data: data)
    }

    /// The pipe on `childFD` closed: tell the protocol, and end the process if it was the last
    /// one after the reaping.
    func pipeClosed(childFD: Int32) {
        pipes[childFD] = nil
        if let processProtocol {
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
