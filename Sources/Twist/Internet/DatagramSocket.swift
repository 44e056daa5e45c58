import Glibc
import TwistCore

/// A datagram socket made ready for a ``DatagramPort``: non-blocking and close-on-exec, bound
/// (or adopted), perhaps connected, with the addresses the port reports. The ways to make one
/// are its extensions: `+UDP` (listenUDP, listenMulticast), `+UNIX` (listenUNIXDatagram,
/// connectUNIXDatagram) and `+Adopt` (adoptDatagramPort).
struct DatagramSocket {
    /// The descriptor; the port owns it from here on and closes it.
    let fd: Int32
    /// Which family it is, and so which addresses it reads and writes.
    let kind: DatagramSocketKind
    /// The socket's own address (the port's `address`).
    let address: Address
    /// The peer it is connected to, if any.
    let peer: Address?

    /// The socket's address as the kernel reports it, or `fallback` when it cannot be read.
    static func localAddress(of fd: Int32, kind: DatagramSocketKind, fallback: Address) -> Address {
        SystemAddress.local(of: fd).map(kind.address(of:)) ?? fallback
    }
}
