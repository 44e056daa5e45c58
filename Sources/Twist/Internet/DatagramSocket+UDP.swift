import Glibc
import TwistCore

extension DatagramSocket {
    /// A UDP socket bound to `interface`:`port` (`listenUDP`, `listenMulticast`); with `reuse`,
    /// `SO_REUSEADDR` and `SO_REUSEPORT` are set first, so several sockets may share the port.
    ///
    /// - Throws: ``InvalidAddressError`` for a named interface or a port out of range,
    ///   ``CannotListenError`` when the socket cannot be made or bound.
    static func udp(port: Int, interface: String, reuse: Bool) throws -> DatagramSocket {
        guard (0...65_535).contains(port) else { throw InvalidAddressError("port \(port) is out of range") }
        guard let bindAddress = SystemAddress(numericHost: interface, port: port) else {
            throw InvalidAddressError("the interface must be a numeric IP address, not \"\(interface)\"")
        }
        let fd: Int32
        switch Sockets.makeDatagramSocket(family: bindAddress.family) {
        case .success(let made): fd = made
        case .failure(let error): throw CannotListenError(interface: interface, port: port, error.reason, osError: error.code)
        }
        if reuse {
            Sockets.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            Sockets.setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1)
        }
        guard bindAddress.withSockAddr({ bind(fd, $0, $1) }) == 0 else {
            let error = SystemCallError("bind")
            Sockets.close(fd)
            throw CannotListenError(interface: interface, port: port, error.reason, osError: error.code)
        }
        let kind = DatagramSocketKind(family: bindAddress.family)
        let address = localAddress(of: fd, kind: kind, fallback: .ip(bindAddress.ipAddress))
        return DatagramSocket(fd: fd, kind: kind, address: address, peer: nil)
    }
}
