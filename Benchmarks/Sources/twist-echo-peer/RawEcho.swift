import Twist

/// Writes back every byte it receives.
final class RawEcho: Protocol {
    override func connectionMade() {
        setNoDelay(transport)
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        transport?.write(data)
    }
}

/// Every peer in twist-bench sends small writes at once (`TCP_NODELAY`), as SwiftNIO does by default.
func setNoDelay(_ transport: (any Transport)?) {
    if let tcp = transport as? any TCPTransport {
        tcp.noDelay = true
    }
}
