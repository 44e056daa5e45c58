import TwistCore

/// The protocol of one child pipe's stream connection: hands what the pipe reads, and its close,
/// to the ``ChildProcess`` (Twisted's `ProcessReader`/`ProcessWriter` callbacks). It holds the
/// process strongly; the cycle (process → pipe connection → this → process) ends when the pipe
/// closes, as the connection drops its protocol and the process drops the pipe.
final class ProcessPipeProtocol: Protocol {
    let childFD: Int32
    private var process: ChildProcess?

    init(childFD: Int32, process: ChildProcess) {
        self.childFD = childFD
        self.process = process
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        try process?.pipeDataReceived(childFD: childFD, data: data)
    }

    /// The pipe closed, for whatever reason: the reason is not passed on (the process's own end is
    /// what `processEnded` reports). A terminal's master ends with EIO once the slave is closed
    /// everywhere (Linux does not return 0 there): that too is just the end of the output.
    override func connectionLost(reason: Failure) {
        let process = self.process
        self.process = nil
        process?.pipeClosed(childFD: childFD)
    }

    override var logPrefix: String { "ProcessPipe(fd \(childFD))" }
}
