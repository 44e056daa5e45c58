public import TwistCore

/// A process transport with no process behind it (Twisted's `StringTransport` idea for
/// processes): it records what the protocol writes, closes and signals, and the test plays the
/// child — ``send(fd:_:)``, ``closePipe(_:)``, ``exit(_:)`` — with the callbacks in Twisted's order
/// (`processEnded` only once the child has exited and every pipe is closed).
public final class FakeProcessTransport: ProcessTransport {
    /// The protocol connected to this transport.
    public let processProtocol: ProcessProtocol
    /// The pid it reports until ``exit(_:)``.
    public private(set) var pid: Int32?
    /// The bytes written to each child descriptor, in order.
    public private(set) var written: [Int32: [UInt8]] = [:]
    /// The signals sent, in order.
    public private(set) var signals: [Int32] = []
    /// True while reading the child's pipes is paused.
    public private(set) var isPaused = false
    /// The producer registered on stdin, if any.
    public private(set) var producer: RegisteredProducer?
    /// The pseudo-terminal's set-up when the pretend child runs on one (`usePTY`), else nil.
    public let terminal: PseudoTerminalOptions?
    /// The window sizes set with ``setWindowSize(_:)``, in order.
    public private(set) var windowSizes: [TerminalWindowSize] = []
    /// The terminal settings set with ``setTerminalSettings(_:)``, in order.
    public private(set) var terminalSettingsChanges: [TerminalSettings] = []
    /// The child descriptors whose pipes are still open.
    public private(set) var openPipes: Set<Int32>
    private var toChild: Set<Int32>
    private var exitReason: Failure?
    private var ended = false

    /// Connects `processProtocol` (its `connectionMade` runs now) to a pretend child `pid` with
    /// pipes on `childFDs` (the ``ChildDescriptor/inherit(parentFD:)`` entries have none). With
    /// `terminal` the child pretends to run on a pseudo-terminal: it has fds 0 (written) and 1
    /// (its output) whatever `childFDs` says, and ``setWindowSize(_:)`` and
    /// ``setTerminalSettings(_:)`` are accepted.
    public init(
        _ processProtocol: ProcessProtocol, pid: Int32 = 4242, childFDs: [Int32: ChildDescriptor] = ChildDescriptor.standard,
        terminal: PseudoTerminalOptions? = nil
    ) {
        let childFDs: [Int32: ChildDescriptor] = terminal == nil ? childFDs : [0: .pipeToChild, 1: .pipeFromChild]
        self.processProtocol = processProtocol
        self.terminal = terminal
        self.pid = pid
        self.openPipes = Set(childFDs.compactMap { $0.value == .pipeFromChild || $0.value == .pipeToChild ? $0.key : nil })
        self.toChild = Set(childFDs.compactMap { $0.value == .pipeToChild ? $0.key : nil })
        processProtocol.makeConnection(self)
    }

    // MARK: The transport

    /// Records `data` as written to stdin, while stdin is open.
    public func write(_ data: ArraySlice<UInt8>) {
        guard openPipes.contains(0), toChild.contains(0) else { return }
        written[0, default: []].append(contentsOf: data)
    }

    /// Records each chunk as ``write(_:)`` does.
    public func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { write(chunk) }
    }

    /// Records `data` for `childFD`.
    ///
    /// - Throws: ``UnknownChildDescriptor`` unless `childFD` is an open pipe to the child.
    public func writeToChild(_ childFD: Int32, _ data: ArraySlice<UInt8>) throws {
        guard openPipes.contains(childFD), toChild.contains(childFD) else { throw UnknownChildDescriptor(childFD) }
        written[childFD, default: []].append(contentsOf: data)
    }

    /// Closes stdin's pipe (``closePipe(_:)`` on 0).
    public func closeStdin() { closeChildFD(0) }

    /// Closes stdout's pipe.
    public func closeStdout() { closeChildFD(1) }

    /// Closes stderr's pipe.
    public func closeStderr() { closeChildFD(2) }

    /// Closes the pipe on `childFD` at once (``closePipe(_:)``); unknown descriptors are ignored.
    public func closeChildFD(_ childFD: Int32) { closePipe(childFD) }

    /// Closes stdin, stderr and stdout.
    public func loseConnection() {
        closeStdin()
        closeStderr()
        closeStdout()
    }

    /// Records the signal.
    ///
    /// - Throws: ``ProcessExitedAlready`` after ``exit(_:)``.
    public func signalProcess(_ signalNumber: Int32) throws {
        guard pid != nil else { throw ProcessExitedAlready() }
        signals.append(signalNumber)
    }

    /// Records `size` while the pretend terminal is open (its fd 1).
    ///
    /// - Throws: ``ProcessNotOnTerminal`` without a terminal, or once fd 1 is closed.
    public func setWindowSize(_ size: TerminalWindowSize) throws {
        guard terminal != nil, openPipes.contains(1) else { throw ProcessNotOnTerminal() }
        windowSizes.append(size)
    }

    /// The last settings set with ``setTerminalSettings(_:)``, else the spawn's
    /// (``PseudoTerminalOptions/settings``), else the kernel's defaults.
    ///
    /// - Throws: ``ProcessNotOnTerminal`` without a terminal, or once fd 1 is closed.
    public func terminalSettings() throws -> TerminalSettings {
        guard let terminal, openPipes.contains(1) else { throw ProcessNotOnTerminal() }
        return terminalSettingsChanges.last ?? terminal.settings ?? .kernelDefault
    }

    /// Records `settings` while the pretend terminal is open (its fd 1).
    ///
    /// - Throws: ``ProcessNotOnTerminal`` without a terminal, or once fd 1 is closed.
    public func setTerminalSettings(_ settings: TerminalSettings) throws {
        guard terminal != nil, openPipes.contains(1) else { throw ProcessNotOnTerminal() }
        terminalSettingsChanges.append(settings)
    }

    /// Records the pause.
    public func pauseProducing() { isPaused = true }

    /// Records the resume.
    public func resumeProducing() { isPaused = false }

    /// Closes every pipe.
    public func stopProducing() { loseConnection() }

    /// Records `producer` (stopping it at once when there is no stdin).
    public func registerProducer(_ producer: RegisteredProducer) throws {
        guard openPipes.contains(0), toChild.contains(0) else {
            producer.producer.stopProducing()
            return
        }
        if self.producer != nil { throw ProducerRegistrationError("a producer is already registered with this transport") }
        self.producer = producer
    }

    /// Forgets the producer.
    public func unregisterProducer() { producer = nil }

    // MARK: Playing the child

    /// The child writes `data` on `childFD`: the protocol's `childDataReceived`. An error it
    /// throws closes that pipe, as on a real transport, and is returned.
    @discardableResult
    public func send(fd childFD: Int32, _ data: [UInt8]) -> (any Error)? {
        guard openPipes.contains(childFD) else { return nil }
        do {
            try processProtocol.childDataReceived(fd: childFD, data: data[...])
            return nil
        } catch {
            closePipe(childFD)
            return error
        }
    }

    /// The pipe on `childFD` closes: `childConnectionLost`, then `processEnded` if the child has
    /// exited and it was the last one.
    public func closePipe(_ childFD: Int32) {
        guard openPipes.remove(childFD) != nil else { return }
        try? processProtocol.childConnectionLost(fd: childFD)
        endIfDone()
    }

    /// The child exits with `reason` (``ProcessDone`` or ``ProcessTerminated``): `pid` becomes
    /// nil, then `processExited`, then `processEnded` if no pipe is open.
    public func exit(_ reason: Failure) {
        guard pid != nil else { return }
        pid = nil
        exitReason = reason
        try? processProtocol.processExited(reason: reason)
        endIfDone()
    }

    private func endIfDone() {
        guard let exitReason, openPipes.isEmpty, !ended else { return }
        ended = true
        try? processProtocol.processEnded(reason: exitReason)
    }
}

/// A ``ReactorProcess`` that starts nothing: each spawn is recorded with a
/// ``FakeProcessTransport`` the test drives (or fails with ``spawnError`` when set).
public final class FakeProcessReactor: ReactorProcess {
    /// One recorded spawn.
    public struct Spawn {
        /// The executable asked for.
        public let executable: String
        /// The argv asked for.
        public let args: [String]
        /// The environment asked for.
        public let environment: ProcessEnvironment
        /// The working directory asked for.
        public let workingDirectory: String?
        /// The user id asked for, or nil.
        public let uid: UInt32?
        /// The group id asked for, or nil.
        public let gid: UInt32?
        /// The descriptor map asked for (nil: the standard one).
        public let childFDs: [Int32: ChildDescriptor]?
        /// True when the spawn asked for a pseudo-terminal.
        public let usePTY: Bool
        /// The terminal's set-up asked for.
        public let terminal: PseudoTerminalOptions
        /// What the spawn asked the reactor to do to the child at shutdown.
        public let onReactorShutdown: ChildShutdownAction
        /// The transport handed to the protocol.
        public let transport: FakeProcessTransport
    }

    /// The spawns so far, in order.
    public private(set) var spawns: [Spawn] = []
    /// When set, the next spawns throw it (a missing executable, say).
    public var spawnError: (any Error)?
    private var nextPid: Int32 = 1000

    /// Makes a reactor with no spawn recorded.
    public init() {}

    /// Records the spawn (with its shutdown action, which the fake never carries out) and connects
    /// `processProtocol` to a new ``FakeProcessTransport`` (on a pretend terminal with `usePTY`).
    ///
    /// - Throws: ``spawnError`` when set; ``TerminalWithChildDescriptors`` for `usePTY` with
    ///   `childFDs`, as a reactor does.
    @discardableResult
    public func spawnProcess(
        _ processProtocol: ProcessProtocol, executable: String, args: [String], environment: ProcessEnvironment = .empty,
        workingDirectory: String? = nil, uid: UInt32? = nil, gid: UInt32? = nil, childFDs: [Int32: ChildDescriptor]? = nil,
        usePTY: Bool = false, terminal: PseudoTerminalOptions = PseudoTerminalOptions(),
        onReactorShutdown: ChildShutdownAction = .leaveRunning
    ) throws -> any ProcessTransport {
        if let spawnError { throw spawnError }
        if usePTY && childFDs != nil { throw TerminalWithChildDescriptors() }
        nextPid += 1
        let transport = FakeProcessTransport(
            processProtocol, pid: nextPid, childFDs: childFDs ?? ChildDescriptor.standard,
            terminal: usePTY ? terminal : nil)
        spawns.append(
            Spawn(
                executable: executable, args: args, environment: environment, workingDirectory: workingDirectory,
                uid: uid, gid: gid, childFDs: childFDs, usePTY: usePTY, terminal: terminal,
                onReactorShutdown: onReactorShutdown, transport: transport))
        return transport
    }
}
