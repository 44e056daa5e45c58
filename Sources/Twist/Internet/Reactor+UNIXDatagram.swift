import TwistCore

extension Reactor: ReactorUNIXDatagram {
    /// Binds a UNIX datagram socket to `path` (a filesystem path, or `"\0name"` for a Linux
    /// abstract name) and serves it with `protocol`; see ``ReactorUNIXDatagram``. The port is the
    /// UDP engine over an `AF_UNIX` socket; the socket file stays when it stops.
    ///
    /// - Parameters:
    ///   - maxPacketSize: the longest datagram delivered whole (1 byte to 1 MiB).
    ///   - mode: the socket file's permissions, set exactly after `bind` (not for abstract names).
    /// - Throws: ``CannotListenError``, ``InvalidAddressError`` or ``DatagramStateError``,
    ///   synchronously.
    public nonisolated func listenUNIXDatagram(
        _ path: String, _ protocol: DatagramProtocol, maxPacketSize: Int = 8192, mode: Int = 0o666
    ) throws -> any DatagramTransport {
        requireConfined()
        try DatagramPort.requireUnattached(`protocol`)
        try DatagramPort.check(maxPacketSize: maxPacketSize, for: .unix)
        let made = try DatagramPort(
            DatagramSocket.unixBound(to: UNIXAddress(path), mode: mode), maxPacketSize: maxPacketSize, reactor: self
        )
        try made.start(`protocol`)
        return made
    }

    /// Connects a UNIX datagram socket to `path`, bound first to `bindAddress` when given, and
    /// serves it with `protocol`; see ``ReactorUNIXDatagram``. A failed connect reaches
    /// `protocol.connectionFailed` on a later loop pass (never inside this call) and returns a
    /// closed port.
    ///
    /// - Throws: ``InvalidAddressError`` or ``DatagramStateError``, synchronously.
    @discardableResult
    public nonisolated func connectUNIXDatagram(
        _ path: String, _ protocol: ConnectedDatagramProtocol, maxPacketSize: Int = 8192, bindAddress: String? = nil
    ) throws -> any DatagramTransport {
        requireConfined()
        try DatagramPort.requireUnattached(`protocol`)
        try DatagramPort.check(maxPacketSize: maxPacketSize, for: .unix)
        let local = bindAddress.map(UNIXAddress.init)
        switch DatagramSocket.unixConnected(to: UNIXAddress(path), bindAddress: local) {
        case .success(let socket):
            let made = try DatagramPort(socket, maxPacketSize: maxPacketSize, reactor: self)
            try made.start(`protocol`)
            return made
        case .failure(let error):
            let never = DatagramSocket(fd: -1, kind: .unix, address: .unix(local ?? .unnamed), peer: nil)
            callLater(0) { `protocol`.connectionFailed(Failure(error)) }
            return try DatagramPort(never, maxPacketSize: maxPacketSize, reactor: self)
        }
    }
}
