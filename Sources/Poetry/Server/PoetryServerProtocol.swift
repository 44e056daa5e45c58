public import Twist

/// Sends the whole poem as soon as a client connects, then closes (the intro's Part 11 server).
///
/// The client sends nothing; end of poem is end of stream. `loseConnection` closes only once
/// everything written has been sent, so every client receives the complete poem, then a clean close.
public final class PoetryServerProtocol: Protocol {
    private let poem: [UInt8]

    /// A protocol that serves `poem`.
    public init(poem: [UInt8]) {
        self.poem = poem
    }

    /// Writes the poem and asks for a close after it.
    public override func connectionMade() {
        transport?.write(poem[...])
        transport?.loseConnection()
    }
}
