/// The capability of a reactor to run a protocol over the process's standard input and output
/// (Twisted's `twisted.internet.stdio.StandardIO`), which ``StandardIOServerEndpoint`` (`stdio:`)
/// uses.
public protocol ReactorStandardIO: AnyObject {
    /// Connects `protocol` to a stream transport that reads `input` and writes `output` (0 and 1
    /// for the process's own): its `connectionMade` has run when this returns. Both descriptors
    /// are made non-blocking and belong to the transport from then on: `loseConnection()` closes
    /// `output` once everything queued is written (and stops reading `input`); the end of `input`
    /// is `readConnectionLost()` for a ``HalfCloseableProtocol`` and closes the connection
    /// otherwise. The protocol hears `connectionLost` once, when both are closed. The transport's
    /// host and peer are the unnamed UNIX address.
    ///
    /// - Throws: ``CannotListenError`` when a descriptor is not open; nothing is connected then.
    @discardableResult
    func connectStandardIO(_ protocol: Protocol, input: Int32, output: Int32) throws -> any Transport
}
