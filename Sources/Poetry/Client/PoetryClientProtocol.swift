public import Twist

/// Receives one poem: keeps every byte, and hands the poem to its ``PoetryClientFactory`` when the
/// connection ends — for any reason, as in the intro (a server that dies mid-poem yields a
/// truncated poem; only a failed connect is an error). Over TLS, a TLS failure (a server that
/// could not prove who it is, a corrupted record) counts as a failed connect: bytes that were not
/// authenticated are no poem.
public final class PoetryClientProtocol: Protocol {
    /// The bytes received so far.
    public private(set) var poem: [UInt8] = []
    private let client: PoetryClientFactory

    /// A protocol that reports to `factory`.
    public init(factory: PoetryClientFactory) {
        client = factory
        super.init()
        self.factory = factory
    }

    /// Appends the bytes to the poem.
    public override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        poem.append(contentsOf: data)
    }

    /// The poem is complete: the factory fires its Deferred with it — or fails it, when TLS failed.
    public override func connectionLost(reason: Failure) {
        if reason.check(TLSError.self) != nil {
            client.downloadFailed(reason)
        } else {
            client.poemReceived(poem)
        }
    }
}
