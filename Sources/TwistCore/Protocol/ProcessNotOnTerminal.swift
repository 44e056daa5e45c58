/// `setWindowSize`, `terminalSettings` or `setTerminalSettings` found no terminal to work on: the
/// child runs on pipes, its terminal is already closed, or the kernel refused the call (then
/// ``osError`` says why).
public struct ProcessNotOnTerminal: Error, Equatable, CustomStringConvertible {
    /// The errno of the refused call (`ioctl(TIOCSWINSZ)`, `tcgetattr`, `tcsetattr`), or nil when
    /// there is no open terminal.
    public let osError: Int32?

    /// The error, with the refused call's errno when there was one.
    public init(osError: Int32? = nil) {
        self.osError = osError
    }

    /// Says which of the two it was.
    public var description: String {
        if let osError { return "the child's terminal refused the call (errno \(osError))" }
        return "the child has no open pseudo-terminal (spawned without usePTY, or its terminal is closed)"
    }
}
