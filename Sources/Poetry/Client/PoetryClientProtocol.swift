public import Twist

/// Receives one poem: keeps every byte, and hands the poem to its ``PoetryClientFactory`` when the
/// connection ends — for any reason, as in the intro (a server that dies mid-poem yields a
/// truncated poem; only a failed connect is an error).
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

    /// The poem is complete: the factory fires its Deferred with it.
    public override func connectionLost(reason: Failure) {
        client.poemReceived(poem)
    }
}
