public import TwistCore

extension MemoryReactor: ReactorUDP, ReactorMulticast {
    /// One recorded `listenUDP` or `listenMulticast`.
    public struct UDPListenCall {
        /// The port asked for (0 is kept as 0).
        public let port: Int
        /// The interface asked for ("" for all).
        public let interface: String
        /// The receive size asked for.
        public let maxPacketSize: Int
        /// Whether `listenMultiple` was asked for (false for `listenUDP`).
        public let listenMultiple: Bool
        /// The fake port handed to the protocol: deliver datagrams through it, read its writes.
        public let transport: FakeDatagramTransport
    }

    /// Records the call in ``udpListenCalls`` and attaches `protocol` to a
    /// ``FakeDatagramTransport`` at the interface (0.0.0.0 for "") and port asked for; its
    /// `startProtocol` has run when this returns.
    ///
    /// - Throws: ``DatagramStateError`` when the protocol serves another port.
    public func listenUDP(
        _ port: Int, _ protocol: DatagramProtocol, interface: String = "", maxPacketSize: Int = 8192
    ) throws -> any DatagramTransport {
        try recordUDP(port, `protocol`, interface: interface, maxPacketSize: maxPacketSize, listenMultiple: false)
    }

    /// As ``listenUDP(_:_:interface:maxPacketSize:)``, recording `listenMultiple`.
    public func listenMulticast(
        _ port: Int, _ protocol: DatagramProtocol, interface: String = "", maxPacketSize: Int = 8192,
        listenMultiple: Bool = false
    ) throws -> any MulticastTransport {
        try recordUDP(port, `protocol`, interface: interface, maxPacketSize: maxPacketSize, listenMultiple: listenMultiple)
    }

    private func recordUDP(
        _ port: Int, _ protocol: DatagramProtocol, interface: String, maxPacketSize: Int, listenMultiple: Bool
    ) throws -> FakeDatagramTransport {
        let host = interface.isEmpty ? "0.0.0.0" : interface
        let address = IPAddress(numericHost: host, port: port).map(Address.ip) ?? .ipv4(host, port)
        let transport = FakeDatagramTransport(address: address, maxPacketSize: maxPacketSize)
        try transport.attach(`protocol`)
        udpListenCalls.append(UDPListenCall(
            port: port, interface: interface, maxPacketSize: maxPacketSize, listenMultiple: listenMultiple,
            transport: transport
        ))
        return transport
    }
}
