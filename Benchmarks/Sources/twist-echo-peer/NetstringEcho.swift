import Twist

/// Sends every netstring it receives back as a netstring (Twist's `NetstringReceiver`).
final class NetstringEcho: NetstringReceiver {
    override func connectionMade() {
        super.connectionMade()
        setNoDelay(transport)
    }

    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        sendString(string)
    }
}
