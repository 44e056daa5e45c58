import Glibc
import TwistCore

/// A protocol's transport over two one-way descriptors — the process's standard input and output
/// (Twisted's `StandardIO`): two ``StreamConnection``s on the one stream engine, one read, one
/// written, seen by the protocol as one transport. See ``ReactorStandardIO`` for what it promises.
///
/// Confined to the reactor thread. It lives while either side's connection does (each side's
/// protocol holds it); the protocol is let go of at `connectionLost`.
final class StandardIO: Transport {
    /// The reading side, until it is closed.
    private var input: StreamConnection?
    /// The writing side, until it is closed.
    private var output: StreamConnection?
    /// The application's protocol, until it has heard `connectionLost`.
    private var application: Protocol?
    /// Set by ``loseConnection()`` and ``abortConnection()``.
    private(set) var isDisconnecting = false
    /// The error that ended the input (the protocol threw, or reading failed): what the protocol
    /// hears instead of the output's own close reason.
    private var inputFailure: Failure?

    /// Both sides are unnamed pipes or terminals to us.
    let host = Address.unix(.unnamed)
    let peer = Address.unix(.unnamed)

    /// Wraps `input` and `output` (non-blocking already) for `application`; nothing happens until
    /// ``start(reactor:input:output:)``.
    init(application: Protocol) {
        self.application = application
    }

    /// Makes both sides' connections and connects the application.
    func start(reactor: Reactor, input inputFD: Int32, output outputFD: Int32) {
        let reading = StreamConnection(
            descriptor: StreamDescriptor(fd: inputFD), host: host, peer: peer, protocol: Side(self, reading: true), reactor: reactor
        )
        let writing = StreamConnection(
            descriptor: StreamDescriptor(fd: outputFD), host: host, peer: peer, protocol: Side(self, reading: false), reactor: reactor
        )
        input = reading
        output = writing
        reading.start()
        writing.start()
        // Never read the output: on a terminal it is the same device as the input. A reader that
        // went away is seen at the next write (EPIPE).
        writing.pauseProducing()
        application?.makeConnection(self)
    }

    // MARK: Transport

    func write(_ data: ArraySlice<UInt8>) { output?.write(data) }
    func writeSequence(_ chunks: [ArraySlice<UInt8>]) { output?.writeSequence(chunks) }
    func write(copying bytes: UnsafeRawBufferPointer) { output?.write(copying: bytes) }

    /// Closes the output once everything queued is written, and stops reading the input.
    func loseConnection() {
        guard !isDisconnecting else { return }
        isDisconnecting = true
        input?.pauseProducing()
        output?.loseConnection()
        if output == nil { input?.abortConnection() }
    }

    /// Closes both sides now.
    func abortConnection() {
        isDisconnecting = true
        input?.abortConnection()
        output?.abortConnection()
    }

    func registerProducer(_ producer: RegisteredProducer) throws {
        try output?.registerProducer(producer)
    }

    func unregisterProducer() { output?.unregisterProducer() }
    func pauseProducing() { input?.pauseProducing() }
    func resumeProducing() { input?.resumeProducing() }
    func stopProducing() { loseConnection() }

    // MARK: The sides

    /// Data read from the input.
    fileprivate func inputReceived(_ data: ArraySlice<UInt8>) throws {
        try application?.dataReceived(data)
    }

    /// The input ended: a half-closeable protocol hears `readConnectionLost` while the output is
    /// open; otherwise the connection closes. An input that failed (the protocol's `dataReceived`
    /// threw — logged by the input's connection — or reading failed) aborts the output, and the
    /// protocol hears that error.
    fileprivate func inputClosed(_ reason: Failure) {
        input = nil
        guard let output else { return finish(reason) }
        guard reason.error is ConnectionDone else {
            inputFailure = reason
            abortConnection()
            return
        }
        if !isDisconnecting, let application, let halfCloseable = application as? any HalfCloseableProtocol {
            do {
                try halfCloseable.readConnectionLost()
            } catch {
                output.logProtocolError("error in a half-close notification; closing the connection", application, error)
                inputFailure = Failure(error)
                abortConnection()
            }
            return
        }
        loseConnection()
    }

    /// The output closed: after `loseConnection`, or because its reader went away. The protocol
    /// hears `connectionLost` now (the input is closed too).
    fileprivate func outputClosed(_ reason: Failure) {
        output = nil
        if let input {
            self.input = nil
            input.abortConnection()  // its close finds no application
        }
        finish(inputFailure ?? reason)
    }

    private func finish(_ reason: Failure) {
        let application = self.application
        self.application = nil
        application?.deliverConnectionLost(reason: reason)
    }

    /// The protocol of one side's connection: hands what happens to the ``StandardIO``.
    private final class Side: Protocol {
        private var owner: StandardIO?
        private let reading: Bool

        init(_ owner: StandardIO, reading: Bool) {
            self.owner = owner
            self.reading = reading
        }

        override func dataReceived(_ data: ArraySlice<UInt8>) throws {
            if reading { try owner?.inputReceived(data) }
        }

        override func connectionLost(reason: Failure) {
            let owner = self.owner
            self.owner = nil
            if reading { owner?.inputClosed(reason) } else { owner?.outputClosed(reason) }
        }

        override var logPrefix: String { reading ? "StandardIO(input)" : "StandardIO(output)" }
    }
}
