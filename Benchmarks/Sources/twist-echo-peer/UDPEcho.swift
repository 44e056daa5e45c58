import Twist

/// The Twist peer's UDP echo (`--udp`): a ``DatagramProtocol`` whose `datagramReceived` writes
/// each datagram back to its sender, as Twisted's echo example does. A datagram the kernel will not
/// take (``DatagramDroppedError``) is counted, not logged one by one; the count is printed on
/// standard error at exit.
final class UDPEcho: DatagramProtocol {
    /// The bench's datagrams are at most 1,200 bytes: 2 KiB slots let one `recvmmsg` take 32 of
    /// them into the reactor's 64 KiB receive buffer (8,192, Twisted's default, would allow 8).
    static let maxPacketSize = 2048

    private(set) var dropped = 0

    override func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {
        do {
            try transport?.write(data, to: sender)
        } catch is DatagramDroppedError {
            dropped += 1
        }
    }
}
