import TwistCore

extension Reactor: ReactorSocketAdoption {
    /// Serves on the listening stream socket `fileDescriptor` of `family` (Twisted's
    /// `adoptStreamPort`) on the same engine as `listenTCP`/`listenUNIX`; see
    /// ``ReactorSocketAdoption``. The reactor works on a close-on-exec duplicate, made
    /// non-blocking; the caller keeps `fileDescriptor` and should close it. The port's address is
    /// the socket's own; stopping it closes the duplicate only (a UNIX socket's file stays).
    ///
    /// - Throws: ``CannotListenError``, synchronously, when `fileDescriptor` is not an open,
    ///   listening stream socket of `family`; the detail says what it is instead.
    public nonisolated func adoptStreamPort(
        _ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory
    ) throws -> any ListeningPort {
        requireConfined()
        return try StreamPort(
            kind: AdoptedPortKind(original: fileDescriptor, family: family), backlog: 0, factory: factory, reactor: self
        )
    }

    /// Serves the connected stream socket `fileDescriptor` of `family` (Twisted's
    /// `adoptStreamConnection`) on the stream engine, as an accepted connection would be; see
    /// ``ReactorSocketAdoption``. The reactor works on a close-on-exec, non-blocking duplicate;
    /// the caller keeps `fileDescriptor` and should close it. The transport's host and peer are
    /// the socket's own addresses.
    ///
    /// - Throws: ``CannotAdoptError``, synchronously, when `fileDescriptor` is not an open,
    ///   connected stream socket of `family`; the detail says what it is instead.
    public nonisolated func adoptStreamConnection(_ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory) throws {
        requireConfined()
        let fd: Int32
        do {
            fd = try AdoptedSocket.duplicate(fileDescriptor, family: family, role: .connected)
        } catch {
            let detail = "cannot adopt descriptor \(fileDescriptor) as a connected AF_\(family) stream socket: \(error.reason)"
            throw CannotAdoptError(detail, osError: error.osError)
        }
        guard let local = SystemAddress.local(of: fd), let remote = SystemAddress.peer(of: fd) else {
            let error = SystemCallError("getpeername")
            Sockets.close(fd)
            throw CannotAdoptError("cannot read the addresses of descriptor \(fileDescriptor): \(error.reason)", osError: error.code)
        }
        let connection: StreamConnection
        switch family {
        case .unix:
            let peer = Address.unix(remote.unixAddress)
            guard let built = factory.buildProtocol(address: peer) else {
                Sockets.close(fd)
                return
            }
            connection = UNIXConnection(fd: fd, host: .unix(local.unixAddress), peer: peer, protocol: built, reactor: self)
        case .inet, .inet6:
            let peer = Address.ip(remote.ipAddress)
            guard let built = factory.buildProtocol(address: peer) else {
                Sockets.close(fd)
                return
            }
            connection = TCPConnection(fd: fd, peer: peer, protocol: built, reactor: self)
        }
        connection.start()
    }
}

extension Reactor {
    /// Serves the bound datagram socket `fileDescriptor` of `family` (Twisted's
    /// `adoptDatagramPort`) on the datagram engine, as `listenUDP` or `listenUNIXDatagram` would;
    /// see ``ReactorSocketAdoption``. The reactor works on a close-on-exec, non-blocking
    /// duplicate; the caller keeps `fileDescriptor` and should close it.
    ///
    /// - Throws: ``CannotAdoptError``, ``InvalidAddressError`` or ``DatagramStateError``,
    ///   synchronously.
    public nonisolated func adoptDatagramPort(
        _ fileDescriptor: Int32, family: AddressFamily, _ protocol: DatagramProtocol, maxPacketSize: Int = 8192
    ) throws -> any DatagramTransport {
        requireConfined()
        try DatagramPort.requireUnattached(`protocol`)
        try DatagramPort.check(maxPacketSize: maxPacketSize, for: DatagramSocketKind(family: family.systemValue))
        let socket = try DatagramSocket.adopted(fileDescriptor, family: family)
        let made: DatagramPort = switch socket.kind {
        case .udp: try UDPPort(socket, maxPacketSize: maxPacketSize, reactor: self)
        case .unix: try DatagramPort(socket, maxPacketSize: maxPacketSize, reactor: self)
        }
        try made.start(`protocol`)
        return made
    }
}
