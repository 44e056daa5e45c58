import Logging
import Twist

/// Sends every datagram back to its sender. A datagram the kernel could not take (its send
/// buffer full) is lost, as UDP allows: logged as a warning, and serving goes on.
final class UDPEchoProtocol: DatagramProtocol {
    private let logger = Logger(label: "echo-udp")

    override func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {
        do {
            try transport?.write(data, to: sender)
        } catch let dropped as DatagramDroppedError {
            logger.warning("echo to \(sender) dropped: \(dropped)")
        }
    }
}
