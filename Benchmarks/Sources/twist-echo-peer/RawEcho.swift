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
/// Under TLS the protocol's transport is the TLS wrapper: the TCP connection is the one below it.
func setNoDelay(_ transport: (any Transport)?) {
    if let tcp = transport as? any TCPTransport {
        tcp.noDelay = true
    } else if let wrapper = transport as? ProtocolWrapper {
        setNoDelay(wrapper.transport)
    }
}
