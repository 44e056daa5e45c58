public import Twist

/// Builds a ``PoetryServerProtocol`` for every connection; the poem is read once, by the caller,
/// and shared by all of them.
public final class PoetryServerFactory: ServerFactory {
    /// The poem every client receives, as bytes (UTF-8 text).
    public let poem: [UInt8]

    /// A factory serving `poem`.
    public init(poem: [UInt8]) {
        self.poem = poem
        super.init()
    }

    /// A new protocol for each connection.
    public override func buildProtocol(address: Address) -> Protocol? {
        let built = PoetryServerProtocol(poem: poem)
        built.factory = self
        return built
    }
}
