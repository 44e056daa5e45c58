public import Twist

/// The transform server's side of one connection: reads one netstring request
/// (`<name>.<poem>`), replies with one netstring holding the transformed poem, then closes.
///
/// Every bad input — no dot, not UTF-8, an unknown or unexposed name, a transform that throws,
/// malformed framing — ends the same way: **no reply**, one log line on the factory's logger
/// naming the peer and the reason, and a clean close of this connection only.
/// Requests after the first on the same connection (pipelined in one packet) are ignored; see
/// `Docs/Tutorial.md` for how this differs from the intro's server.
public final class TransformProtocol: NetstringReceiver {
    private let transformFactory: TransformFactory
    private var answered = false

    /// A protocol serving the transforms of `factory`.
    public init(factory: TransformFactory) {
        transformFactory = factory
        super.init()
        self.factory = factory
    }

    /// Answers the first request, then closes.
    public override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        guard !answered else { return }
        answered = true
        defer { transport?.loseConnection() }
        do {
            let request = try TransformRequest(payload: string)
            let poem = try transformFactory.transform(request.name, request.poem)
            sendString(poem.utf8)
        } catch {
            refuse("\(error)")
        }
    }

    /// Logs the framing error; the receiver closes the connection itself.
    public override func netstringParseFailed(_ error: NetstringParseError) {
        answered = true
        refuse("malformed netstring: \(error)")
    }

    private func refuse(_ reason: String) {
        let peer = transport.map { "\($0.peer)" } ?? "?"
        transformFactory.log.warning("transform request from \(peer) refused: \(reason)")
    }
}
