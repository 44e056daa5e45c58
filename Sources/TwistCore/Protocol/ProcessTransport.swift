/// A running (or finished) child process as its ``ProcessProtocol`` sees it (Twisted's
/// `IProcessTransport`): its pid, its pipes, and signals.
///
/// Writes to stdin never block: they are queued and flushed as the pipe takes them. As a
/// producer the transport pauses and resumes *reading* every pipe from the child, so a child
/// writing faster than the protocol consumes blocks on its full pipe instead of filling memory.
/// Confined to the reactor thread.
public protocol ProcessTransport: PushProducer {
    /// The child's pid from the spawn until it is reaped; nil from then on (already nil inside
    /// `processExited`).
    var pid: Int32? { get }

    /// Queues `data` for the child's stdin (descriptor 0). Dropped when there is no stdin pipe,
    /// or after ``closeStdin()`` (Twisted still delivers writes made after `closeStdin` until the
    /// pipe really closes; Twist refuses them).
    func write(_ data: ArraySlice<UInt8>)

    /// Queues `chunks` for stdin in order, as ``write(_:)`` does.
    func writeSequence(_ chunks: [ArraySlice<UInt8>])

    /// Queues `data` for the pipe the child reads on `childFD`.
    ///
    /// - Throws: ``UnknownChildDescriptor`` when `childFD` is not an open ``ChildDescriptor/pipeToChild``.
    func writeToChild(_ childFD: Int32, _ data: ArraySlice<UInt8>) throws

    /// Flushes what is queued for stdin, then closes it: the child reads end of file.
    func closeStdin()

    /// Stops reading the child's stdout and closes it (the child's next write fails with EPIPE).
    func closeStdout()

    /// Stops reading the child's stderr and closes it.
    func closeStderr()

    /// Closes the parent's end of the pipe on `childFD`: a pipe to the child after flushing, a
    /// pipe from the child at once. Unknown descriptors are ignored.
    func closeChildFD(_ childFD: Int32)

    /// Closes every pipe: ``closeStdin()``, ``closeStderr()``, ``closeStdout()``.
    func loseConnection()

    /// Sends `signalNumber` to the child.
    ///
    /// - Throws: ``ProcessExitedAlready`` once the child was reaped or the kernel no longer knows
    ///   it; other `kill` errors as ``ProcessSpawnError`` with call "kill".
    func signalProcess(_ signalNumber: Int32) throws

    /// Sets the window size of the child's pseudo-terminal (TIOCSWINSZ on the master); the
    /// kernel sends SIGWINCH to the terminal's foreground process group when the size changes.
    ///
    /// - Throws: ``ProcessNotOnTerminal`` when the child runs on pipes or its terminal is closed.
    func setWindowSize(_ size: TerminalWindowSize) throws

    /// The child's pseudo-terminal's current ``TerminalSettings`` (tcgetattr on the master, which
    /// on Linux reads the slave's line discipline), whoever set them: the spawn, an earlier
    /// ``setTerminalSettings(_:)``, or the child itself (`stty`).
    ///
    /// - Throws: ``ProcessNotOnTerminal`` when the child runs on pipes or its terminal is closed.
    func terminalSettings() throws -> TerminalSettings

    /// Changes the child's pseudo-terminal's settings at once (tcsetattr TCSANOW on the master),
    /// leaving every termios flag ``TerminalSettings`` does not name as it is. Input already
    /// queued in the terminal is not re-processed.
    ///
    /// - Throws: ``ProcessNotOnTerminal`` when the child runs on pipes or its terminal is closed,
    ///   or with the errno when the kernel refuses.
    func setTerminalSettings(_ settings: TerminalSettings) throws

    /// Registers a producer writing to the child's stdin, paused while too much is queued; with no
    /// stdin pipe the producer is stopped at once.
    func registerProducer(_ producer: RegisteredProducer) throws

    /// Removes the producer registered with ``registerProducer(_:)``.
    func unregisterProducer()
}

extension ProcessTransport {
    /// Queues the bytes of `data` for stdin.
    public func write(_ data: [UInt8]) {
        write(data[...])
    }

    /// Queues bytes from any sequence (such as `"text\n".utf8`) for stdin.
    public func write(_ bytes: some Sequence<UInt8>) {
        write(Array(bytes)[...])
    }

    /// Sends a signal by Twisted's name: "HUP", "STOP", "INT", "KILL" or "TERM".
    ///
    /// - Throws: ``InvalidSignalName`` for any other name; otherwise as ``signalProcess(_:)``.
    public func signalProcess(named name: String) throws {
        let numbers: [String: Int32] = ["HUP": 1, "INT": 2, "KILL": 9, "TERM": 15, "STOP": 19]
        guard let number = numbers[name] else { throw InvalidSignalName(name) }
        try signalProcess(number)
    }
}

/// `signalProcess(named:)` was given a name other than HUP, STOP, INT, KILL and TERM (Twisted
/// raises TypeError).
public struct InvalidSignalName: Error, Equatable, CustomStringConvertible {
    /// The name given.
    public let name: String

    /// Makes the error for `name`.
    public init(_ name: String) {
        self.name = name
    }

    /// Names the name.
    public var description: String { "\"\(name)\" is not one of the signal names HUP, STOP, INT, KILL, TERM" }
}
