public import TwistCore

extension MemoryReactor: ReactorUNIXDatagram {
    /// One recorded `listenUNIXDatagram` or `connectUNIXDatagram`.
    public struct UNIXDatagramCall {
        /// The name asked for, as given: the path listened on, or the path connected to.
        public let path: String
        /// The receive size asked for.
        public let maxPacketSize: Int
        /// The file mode asked for (`listenUNIXDatagram`); nil for a connect.
        public let mode: Int?
        /// The local name asked for (`connectUNIXDatagram`); nil when none was, and for a listen.
        public let bindAddress: String?
        /// The fake port handed to the protocol: deliver datagrams through it, read its writes.
        public let transport: FakeDatagramTransport
    }

    /// Records the call in ``unixDatagramListenCalls`` and attaches `protocol` to a UNIX
    /// ``FakeDatagramTransport`` at `path`; its `startProtocol` has run when this returns.
    ///
    /// - Throws: ``DatagramStateError`` when the protocol serves another port.
    public func listenUNIXDatagram(
        _ path: String, _ protocol: DatagramProtocol, maxPacketSize: Int = 8192, mode: Int = 0o666
    ) throws -> any DatagramTransport {
        let transport = FakeDatagramTransport(address: .unix(path), maxPacketSize: maxPacketSize)
        try transport.attach(`protocol`)
        unixDatagramListenCalls.append(UNIXDatagramCall(
            path: path, maxPacketSize: maxPacketSize, mode: mode, bindAddress: nil, transport: transport
        ))
        return transport
    }

    /// Records the call in ``unixDatagramConnectCalls`` and attaches `protocol` at once to a UNIX
    /// ``FakeDatagramTransport`` connected to `path` (at `bindAddress`, or unnamed): nothing
    /// checks that anyone is there, so `connectionFailed` is never called (call it yourself to
    /// test a protocol's failure path).
    ///
    /// - Throws: ``DatagramStateError`` when the protocol serves another port.
    @discardableResult
    public func connectUNIXDatagram(
        _ path: String, _ protocol: ConnectedDatagramProtocol, maxPacketSize: Int = 8192, bindAddress: String? = nil
    ) throws -> any DatagramTransport {
        let transport = FakeDatagramTransport(
            address: .unix(UNIXAddress(bindAddress ?? "")), maxPacketSize: maxPacketSize, connectedTo: .unix(path)
        )
        try transport.attach(`protocol`)
        unixDatagramConnectCalls.append(UNIXDatagramCall(
            path: path, maxPacketSize: maxPacketSize, mode: nil, bindAddress: bindAddress, transport: transport
        ))
        return transport
    }
}
