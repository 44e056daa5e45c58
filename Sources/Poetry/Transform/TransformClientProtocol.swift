public import Twist

/// The client side of one transform request: sends the request as a netstring when connected,
/// closes on the first reply netstring and hands it to its ``TransformClientFactory``.
public final class TransformClientProtocol: NetstringReceiver {
    private let client: TransformClientFactory

    /// A protocol that asks for `factory`'s request.
    public init(factory: TransformClientFactory) {
        client = factory
        super.init()
        self.factory = factory
    }

    /// Sends the request.
    public override func connectionMade() {
        sendString(client.request.payload)
    }

    /// The reply: the factory fires its Deferred, then the connection is closed. Later netstrings
    /// are ignored.
    public override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        client.replyReceived(string)
        transport?.loseConnection()
    }

    /// The connection ended; without a reply before it, the request failed.
    public override func connectionLost(reason: Failure) {
        client.connectionEnded(reason: reason)
    }
}
