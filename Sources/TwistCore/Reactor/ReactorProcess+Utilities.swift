extension ReactorProcess {
    /// Runs `executable` with `args` (argv is `[executable] + args`) and fires with everything it
    /// wrote to stdout once it has ended, whatever its exit code (Twisted's `getProcessOutput`).
    ///
    /// Without `errorToo`, the first bytes on stderr fail the Deferred at once with
    /// ``UnexpectedErrorOutput`` and close the child's pipes; with it, stderr is collected into
    /// the same buffer, in arrival order. A child that cannot start fails the Deferred with
    /// ``ProcessSpawnError`` (Twisted raises instead). Call it on the reactor thread.
    public func getProcessOutput(
        _ executable: String, args: [String] = [], environment: ProcessEnvironment = .empty,
        workingDirectory: String? = nil, errorToo: Bool = false
    ) -> Deferred<[UInt8]> {
        let collector = OutputCollector(stderr: errorToo ? .intoOutput : .failAtOnce)
        let ended = collector.start(self, executable, args, environment, workingDirectory, stdin: nil)
        return ended.addCallback { _ in collector.output }
    }

    /// Runs `executable` with `args` and fires with how it ended: its exit code, or the signal
    /// that killed it (Twisted fires with the code, or None for a signal). Never fails except when
    /// the child cannot start (``ProcessSpawnError``). Call it on the reactor thread.
    public func getProcessValue(
        _ executable: String, args: [String] = [], environment: ProcessEnvironment = .empty,
        workingDirectory: String? = nil
    ) -> Deferred<ProcessExitStatus> {
        let collector = OutputCollector(stderr: .collect)
        return collector.start(self, executable, args, environment, workingDirectory, stdin: nil)
    }

    /// Runs `executable` with `args` and fires with its stdout, stderr and exit code; fails with
    /// ``ProcessSignalled`` (carrying the same output) when a signal killed it. `stdin`, when
    /// given, is written and then stdin closed; otherwise stdin stays open. Call it on the reactor
    /// thread.
    public func getProcessOutputAndValue(
        _ executable: String, args: [String] = [], environment: ProcessEnvironment = .empty,
        workingDirectory: String? = nil, stdin: [UInt8]? = nil
    ) -> Deferred<ProcessOutputAndValue> {
        let collector = OutputCollector(stderr: .collect)
        return collector.start(self, executable, args, environment, workingDirectory, stdin: stdin)
            .addCallback { status -> ProcessOutputAndValue in
                switch status {
                case .exited(let code):
                    return ProcessOutputAndValue(output: collector.output, errorOutput: collector.errorOutput, exitCode: code)
                case .signalled(let signal):
                    throw ProcessSignalled(output: collector.output, errorOutput: collector.errorOutput, signal: signal)
                case .unknown:
                    throw ProcessTerminated(exitCode: nil, signal: nil, status: -1)
                }
            }
    }
}

/// The protocol behind the process utilities: collects stdout and stderr and fires with the exit
/// status at `processEnded`.
final class OutputCollector: ProcessProtocol {
    /// What stderr bytes do.
    enum StderrHandling {
        /// Collected in ``errorOutput``.
        case collect
        /// Appended to ``output`` (`errorToo`).
        case intoOutput
        /// Fail the Deferred at once and close the pipes.
        case failAtOnce
    }

    private let stderrHandling: StderrHandling
    private let ended = Deferred<ProcessExitStatus>()
    private(set) var output: [UInt8] = []
    private(set) var errorOutput: [UInt8] = []
    private var failed = false

    init(stderr: StderrHandling) {
        self.stderrHandling = stderr
    }

    /// Spawns the child with this collector; the Deferred fires at its end.
    func start(
        _ reactor: some ReactorProcess, _ executable: String, _ args: [String], _ environment: ProcessEnvironment,
        _ workingDirectory: String?, stdin: [UInt8]?
    ) -> Deferred<ProcessExitStatus> {
        let transport: any ProcessTransport
        do {
            transport = try reactor.spawnProcess(
                self, executable: executable, args: [executable] + args, environment: environment,
                workingDirectory: workingDirectory, uid: nil, gid: nil, childFDs: nil, usePTY: false,
                terminal: PseudoTerminalOptions(), onReactorShutdown: .leaveRunning)
        } catch {
            return fail(error)
        }
        if let stdin {
            transport.write(stdin)
            transport.closeStdin()
        }
        return ended
    }

    override func outReceived(_ data: ArraySlice<UInt8>) throws {
        output.append(contentsOf: data)
    }

    override func errReceived(_ data: ArraySlice<UInt8>) throws {
        switch stderrHandling {
        case .collect: errorOutput.append(contentsOf: data)
        case .intoOutput: output.append(contentsOf: data)
        case .failAtOnce:
            guard !failed else { return }
            failed = true
            try? ended.errback(UnexpectedErrorOutput(errorOutput: Array(data)))
            transport?.loseConnection()
        }
    }

    override func processEnded(reason: Failure) throws {
        guard !failed else { return }
        try ended.callback(ProcessExitStatus(reason: reason))
    }
}
