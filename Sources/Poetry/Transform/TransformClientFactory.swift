public import Twist

/// Makes one transform request over one connection and fires ``transformed`` with the reply — it
/// makes that Deferred and is the only one to fire it, exactly once.
///
/// ``transformed`` fails with the connect's failure (the server is down), with
/// ``TransformRefused`` when the server closed without a reply (the intro's signal for an unknown
/// transform, a transform that threw, or a bad request), or with ``TransformRequestError/notUTF8``
/// when the reply is not UTF-8. Cancelling it closes the connection.
public final class TransformClientFactory: ClientFactory {
    /// What is asked of the server.
    public let request: TransformRequest
    private var connector: (any Connector)?

    /// The transformed poem, once the server replied. Fired by this factory only.
    public private(set) lazy var transformed: Deferred<String> = Deferred { [self] _ in cancelRequest() }

    /// A factory asking for `request`; hand it to `connectTCP`.
    public init(request: TransformRequest) {
        self.request = request
        super.init()
        _ = transformed
    }

    /// A new ``TransformClientProtocol`` for the connection.
    public override func buildProtocol(address: Address) -> Protocol? {
        TransformClientProtocol(factory: self)
    }

    /// Remembers the connector, so that cancelling can stop it.
    public override func startedConnecting(_ connector: any Connector) {
        self.connector = connector
    }

    /// The connect failed: ``transformed`` fails with the reason.
    public override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        finish(.failure(reason))
    }

    func replyReceived(_ reply: ArraySlice<UInt8>) {
        if let poem = String(validating: reply, as: UTF8.self) {
            finish(.success(poem))
        } else {
            finish(.failure(Failure(TransformRequestError.notUTF8)))
        }
    }

    func connectionEnded(reason: Failure) {
        finish(.failure(Failure(TransformRefused(name: request.name, reason: reason))))
    }

    private func finish(_ outcome: Result<String, Failure>) {
        connector = nil
        guard !transformed.hasFired else { return }
        switch outcome {
        case .success(let poem): try? transformed.callback(poem)
        case .failure(let failure): try? transformed.errback(failure)
        }
    }

    private func cancelRequest() {
        let connector = self.connector
        self.connector = nil
        connector?.disconnect()
    }
}

/// The transform server closed the connection without replying: it does not offer the transform,
/// the transform failed, or it could not read the request.
public struct TransformRefused: Error, CustomStringConvertible {
    /// The transform that was asked for.
    public let name: String
    /// How the connection ended.
    public let reason: Failure

    /// Names the transform that got no reply and how the connection ended.
    public var description: String { "the transform server sent no reply for '\(name)' (\(reason.error))" }
}
