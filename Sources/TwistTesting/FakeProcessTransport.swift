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
    /// The child descriptors whose pipes are still open.
    public private(set) var openPipes: Set<Int32>
    private var toChild: Set<Int32>
    private var exitReason: Failure?
    private var ended = false

    /// Connects `processProtocol` (its `connectionMade` runs now) to a pretend child `pid` with
    /// pipes on `childFDs` (the ``ChildDescriptor/inherit(parentFD:)`` entries have none).
    public init(_ processProtocol: ProcessProtocol, pid: Int32 = 4242, childFDs: [Int32: ChildDescriptor] = ChildDescriptor.standard) {
        self.processProtocol = processProtocol
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

    /// Records the spawn and connects `processProtocol` to a new ``FakeProcessTransport``.
    public func spawnProcess(
        _ processProtocol: ProcessProtocol, executable: String, args: [String], environment: ProcessEnvironment,
        workingDirectory: String?, childFDs: [Int32: ChildDescriptor]
    ) throws -> any ProcessTransport {
        if let spawnError { throw spawnError }
        nextPid += 1
        let transport = FakeProcessTransport(processProtocol, pid: nextPid, childFDs: childFDs)
        spawns.append(Spawn(executable: executable, args: args, environment: environment, workingDirectory: workingDirectory, transport: transport))
        return transport
    }
}
